package io.kubeaccel.testkit;

import io.grpc.StatusRuntimeException;
import io.kubeaccel.proto.deviceplugin.v1beta1.AllocateResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.ContainerAllocateResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.Device;
import io.kubeaccel.proto.deviceplugin.v1beta1.PreferredAllocationResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet device manager's admission step for one container and one resource: choose among healthy free devices
 * (asking the plugin for a preferred set when it offers one and there is a choice), Allocate, PreStartContainer when
 * required, and record the result only when every call succeeded.
 *
 * <p>Admissions run one at a time, as the kubelet admits pods one at a time: two containers never race for a device.
 */
final class DeviceAdmission {

  private static final Logger log = LoggerFactory.getLogger(DeviceAdmission.class);
  private static final String HEALTHY = "Healthy";

  private final PluginRegistry registry;
  private final AllocationLedger ledger;

  DeviceAdmission(PluginRegistry registry, AllocationLedger ledger) {
    this.registry = registry;
    this.ledger = ledger;
  }

  synchronized ContainerAllocateResponse admit(
      PodRef pod, String container, String resourceName, int count) {
    if (count <= 0) {
      throw new IllegalArgumentException("a container requests at least one device, not " + count);
    }
    Optional<PodRef> known = ledger.pod(pod.uid());
    if (known.isPresent() && !known.get().equals(pod)) {
      throw new IllegalArgumentException(
          "pod uid " + pod.uid() + " was admitted before as " + known.get());
    }
    Optional<Allocation> held = ledger.find(pod.uid(), container, resourceName);
    if (held.isPresent()) {
      // The kubelet reuses a container's checkpointed devices (container restart) without calling
      // the plugin again.
      int before = held.get().devices().size();
      if (before != count) {
        throw new AdmissionException("pod " + pod + " container " + container
            + " changed its request for " + resourceName + " from " + before + " to " + count);
      }
      return held.get().response();
    }
    RegisteredPlugin plugin = registry
        .current(resourceName)
        .orElseThrow(
            () -> new AdmissionException("no device plugin is registered for " + resourceName));
    List<Device> chosen = choose(plugin, count);
    List<String> ids = chosen.stream().map(Device::getID).toList();
    String where =
        "pod=" + pod + " container=" + container + " resource=" + resourceName + " devices=" + ids;

    AllocateResponse allocated = call("Allocate", where, () -> plugin.allocate(List.of(ids)));
    if (allocated.getContainerResponsesCount() != 1) {
      throw new AdmissionException("Allocate for " + where + " answered "
          + allocated.getContainerResponsesCount() + " container responses to 1 container request");
    }
    if (plugin.options().getPreStartRequired()) {
      call("PreStartContainer", where, () -> {
        plugin.preStart(ids);
        return null;
      });
    }
    ContainerAllocateResponse response = allocated.getContainerResponses(0);
    ledger.record(new Allocation(pod, container, resourceName, chosen, response));
    log.debug("admitted {}", where);
    return response;
  }

  private List<Device> choose(RegisteredPlugin plugin, int count) {
    String resourceName = plugin.resourceName();
    Set<String> inUse = ledger.devicesInUse(resourceName);
    // Sorted by ID and free of duplicates, like the kubelet's string sets.
    Map<String, Device> free = new TreeMap<>();
    if (plugin.isConnected()) {
      for (Device device : plugin.devices()) {
        if (HEALTHY.equals(device.getHealth()) && !inUse.contains(device.getID())) {
          free.put(device.getID(), device);
        }
      }
    }
    if (free.size() < count) {
      String disconnected = plugin
          .endedBecause()
          .map(why -> " (plugin disconnected: " + why + ")")
          .orElse("");
      throw new AdmissionException("insufficient " + resourceName + ": requested " + count + ", "
          + free.size() + " healthy and free" + disconnected);
    }
    List<String> freeIds = List.copyOf(free.keySet());
    if (!plugin.options().getGetPreferredAllocationAvailable() || free.size() == count) {
      return freeIds.subList(0, count).stream().map(free::get).toList();
    }
    String where = "resource=" + resourceName + " available=" + freeIds + " size=" + count;
    PreferredAllocationResponse answer = call(
        "GetPreferredAllocation",
        where,
        () -> plugin.preferredAllocation(freeIds, List.of(), count));
    return validPreference(answer, free, count, where);
  }

  /**
   * The kubelet quietly tops up or ignores a bad preference; the stand-in refuses it, because a plugin that answers
   * outside the question has a bug a test should see.
   */
  private static List<Device> validPreference(
      PreferredAllocationResponse answer, Map<String, Device> free, int count, String where) {
    if (answer.getContainerResponsesCount() != 1) {
      throw new AdmissionException("GetPreferredAllocation for " + where + " answered "
          + answer.getContainerResponsesCount() + " container responses to 1 container request");
    }
    List<String> preferred = answer.getContainerResponses(0).getDeviceIDsList();
    Set<String> distinct = new HashSet<>(preferred);
    List<String> outside =
        preferred.stream().filter(id -> !free.containsKey(id)).toList();
    if (preferred.size() != count || distinct.size() != preferred.size() || !outside.isEmpty()) {
      throw new AdmissionException("GetPreferredAllocation for " + where + " answered " + preferred
          + ": want " + count + " distinct IDs from the available set"
          + (outside.isEmpty() ? "" : ", not available: " + outside));
    }
    List<Device> chosen = new ArrayList<>();
    preferred.forEach(id -> chosen.add(free.get(id)));
    return chosen;
  }

  private static <T> T call(String method, String where, Supplier<T> rpc) {
    try {
      return rpc.get();
    } catch (StatusRuntimeException e) {
      throw new AdmissionException(
          method + " failed for " + where + ": " + StatusText.describe(e.getStatus()),
          e.getStatus(),
          e);
    }
  }
}
