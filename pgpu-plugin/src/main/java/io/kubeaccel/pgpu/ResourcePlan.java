package io.kubeaccel.pgpu;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.MigDevice;
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
import java.util.Set;
import java.util.TreeSet;

/**
 * Which resources a node serves and which units each holds, for one inventory: the MIG strategy decides the base
 * resources, time-slicing then replicates (and possibly renames) some of their units. A pure function of the
 * configuration and the inventory, so every snapshot gets the same answer for the same cards.
 */
final class ResourcePlan {

  /** Resource name prefix of MIG profiles under {@code mixed}: {@code nvidia.com/mig-1g.5gb}. */
  static final String MIG_PREFIX = "nvidia.com/mig-";

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
    base.values()
        .removeIf(
            List::isEmpty); // nothing to serve: NVIDIA's plugin does not serve empty resources
    // either
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

  /** The resources before time-slicing: whole cards and, by MIG strategy, MIG devices. */
  private Map<String, List<Unit>> baseResources(Inventory inventory) {
    Map<String, List<Unit>> resources = new LinkedHashMap<>();
    List<Unit> whole = new ArrayList<>();
    resources.put(GpuResourcePlugin.GPU, whole);
    List<Gpu> migCards =
        inventory.gpus().stream().filter(g -> g.mig() == Gpu.MigState.ENABLED).toList();
    if (config.migStrategy() == MigStrategy.SINGLE && !migCards.isEmpty()) {
      whole.addAll(singleStrategyUnits(inventory, migCards));
      return resources;
    }
    for (Gpu gpu : inventory.gpus()) {
      if (gpu.mig() != Gpu.MigState.ENABLED) {
        whole.add(Unit.card(gpu));
      } else if (config.migStrategy() == MigStrategy.MIXED) {
        for (MigDevice device : gpu.migDevices()) {
          resources
              .computeIfAbsent(MIG_PREFIX + device.profile(), k -> new ArrayList<>())
              .add(Unit.mig(gpu, device));
        }
      } // strategy none: a MIG card's memory and compute belong to its instances, it is no whole
      // card
    }
    return resources;
  }

  /** Under {@code single}, every card must be in MIG mode with one profile; each MIG device is one nvidia.com/gpu. */
  private static List<Unit> singleStrategyUnits(Inventory inventory, List<Gpu> migCards) {
    Set<String> profiles = new TreeSet<>();
    List<String> problems = new ArrayList<>();
    for (Gpu gpu : inventory.gpus()) {
      if (gpu.mig() != Gpu.MigState.ENABLED) {
        problems.add("gpu" + gpu.index() + " is not in MIG mode");
      } else if (gpu.migDevices().isEmpty()) {
        problems.add("gpu" + gpu.index() + " has no MIG devices");
      }
      gpu.migDevices().forEach(d -> profiles.add(d.profile()));
    }
    if (profiles.size() > 1) {
      problems.add("profiles " + String.join(", ", profiles) + " are mixed");
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(
          "mig-strategy single needs every card in MIG mode with one profile: "
              + String.join("; ", problems) + " (use mig-strategy mixed for such nodes)");
    }
    List<Unit> units = new ArrayList<>();
    for (Gpu gpu : migCards) {
      gpu.migDevices().forEach(d -> units.add(Unit.mig(gpu, d)));
    }
    return units;
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
