package io.kubeaccel.pgpu;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.pgpu.config.ConfigException;
import io.kubeaccel.pgpu.config.MigStrategy;
import io.kubeaccel.pgpu.config.PgpuConfig;
import io.kubeaccel.pgpu.config.TimeSlicing;
import io.kubeaccel.pgpu.config.TimeSlicing.ReplicaDevices;
import io.kubeaccel.pgpu.config.TimeSlicing.ReplicatedResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which resources a node serves and which units each holds, for one inventory: the MIG strategy decides the base
 * resources, time-slicing then replicates (and possibly renames) some of their units. A pure function of the
 * configuration and the inventory, so every snapshot gets the same answer for the same cards.
 */
final class ResourcePlan {

  private final PgpuConfig config;

  ResourcePlan(PgpuConfig config) {
    this.config = config;
  }

  /**
   * The units of every served resource, in a stable order (resource names as first seen, units by index).
   *
   * @throws ConfigException when the configuration cannot apply to these cards (e.g. time-slicing a resource the
   *     node does not have)
   */
  Map<String, List<Unit>> units(Inventory inventory) {
    Map<String, List<Unit>> base = baseResources(inventory);
    TimeSlicing slicing = config.timeSlicing();
    if (!slicing.enabled()) {
      return base;
    }
    Map<String, List<Unit>> result = new LinkedHashMap<>();
    base.forEach((name, units) -> result.put(name, new ArrayList<>(units)));
    for (ReplicatedResource replicated : slicing.resources()) {
      List<Unit> units = result.get(replicated.name());
      if (units == null) {
        if (base.isEmpty()) {
          continue; // no cards known yet (NVML not started): nothing to replicate
        }
        throw new ConfigException("sharing.timeSlicing: resource "
            + replicated.name()
            + " is not served on this node; it serves "
            + String.join(", ", base.keySet()));
      }
      List<Unit> chosen = select(units, replicated.devices(), replicated.name());
      String served = slicing.servedName(replicated);
      List<Unit> target = served.equals(replicated.name())
          ? units
          : result.computeIfAbsent(served, k -> new ArrayList<>());
      for (Unit unit : chosen) {
        units.remove(unit);
        target.add(unit.withReplicas(replicated.replicas()));
      }
      target.sort((a, b) -> compareIndex(a.index(), b.index()));
    }
    result.values().removeIf(List::isEmpty);
    return result;
  }

  private Map<String, List<Unit>> baseResources(Inventory inventory) {
    Map<String, List<Unit>> resources = new LinkedHashMap<>();
    List<Unit> whole = new ArrayList<>();
    for (Gpu gpu : inventory.gpus()) {
      if (gpu.mig() == Gpu.MigState.ENABLED && config.migStrategy() == MigStrategy.NONE) {
        continue; // its memory and compute belong to MIG instances: not a whole card
      }
      if (gpu.mig() != Gpu.MigState.ENABLED) {
        whole.add(new Unit(gpu.uuid(), Integer.toString(gpu.index()), gpu, 1));
      }
    }
    resources.put(GpuResourcePlugin.GPU, whole);
    return resources;
  }

  private static List<Unit> select(List<Unit> units, ReplicaDevices devices, String resource) {
    if (devices instanceof ReplicaDevices.Count count) {
      if (count.count() > units.size()) {
        throw new ConfigException("sharing.timeSlicing: "
            + resource
            + " devices: "
            + count.count()
            + " asked, the node has "
            + units.size());
      }
      return List.copyOf(units.subList(0, count.count()));
    }
    if (devices instanceof ReplicaDevices.Listed listed) {
      List<Unit> chosen = new ArrayList<>();
      for (String ref : listed.refs()) {
        chosen.add(units.stream()
            .filter(u -> u.index().equals(ref) || u.uuid().equalsIgnoreCase(ref))
            .findFirst()
            .orElseThrow(() ->
                new ConfigException("sharing.timeSlicing: " + resource + " has no device " + ref)));
      }
      return chosen;
    }
    return List.copyOf(units); // ReplicaDevices.All
  }

  /** Orders "3" before "10" and "3:1" before "3:2". */
  static int compareIndex(String a, String b) {
    String[] left = a.split(":");
    String[] right = b.split(":");
    for (int i = 0; i < Math.min(left.length, right.length); i++) {
      int order = Integer.compare(Integer.parseInt(left[i]), Integer.parseInt(right[i]));
      if (order != 0) {
        return order;
      }
    }
    return Integer.compare(left.length, right.length);
  }
}
