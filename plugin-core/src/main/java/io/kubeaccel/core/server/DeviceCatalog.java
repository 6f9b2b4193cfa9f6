package io.kubeaccel.core.server;

import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.spi.AdvertisedDevice;
import io.kubeaccel.core.spi.InvalidRequestException;
import io.kubeaccel.core.spi.ModePlugin;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The devices one resource advertises for one inventory snapshot, and the validation of kubelet requests against
 * them. Immutable; a new snapshot gives a new catalog.
 */
record DeviceCatalog(
    Inventory inventory, List<AdvertisedDevice> devices, Map<String, AdvertisedDevice> byId) {

  /**
   * Asks {@code plugin} for its devices and checks the kubelet's rules on them.
   *
   * @throws IllegalStateException if the plugin breaks the rules (a bug in the mode, not bad input)
   */
  static DeviceCatalog of(ModePlugin plugin, Inventory inventory) {
    List<AdvertisedDevice> devices = plugin.devices(inventory);
    Map<String, AdvertisedDevice> byId = new LinkedHashMap<>();
    for (AdvertisedDevice device : devices) {
      if (device.id().isEmpty() || device.id().length() > AdvertisedDevice.MAX_ID_LENGTH) {
        throw new IllegalStateException(plugin.resourceName()
            + " advertised device ID of invalid length: \"" + device.id() + "\"");
      }
      if (byId.put(device.id(), device) != null) {
        throw new IllegalStateException(
            plugin.resourceName() + " advertised device ID twice: " + device.id());
      }
    }
    return new DeviceCatalog(inventory, List.copyOf(devices), Map.copyOf(byId));
  }

  /** Whether the kubelet would see a difference between this catalog and {@code other}. */
  boolean sameDevicesAs(DeviceCatalog other) {
    return other != null && devices.equals(other.devices);
  }

  /**
   * The advertised devices for one container's Allocate request.
   *
   * @throws InvalidRequestException naming every unknown, duplicate and unhealthy ID
   */
  List<AdvertisedDevice> checkAllocation(String resource, List<String> ids) {
    if (ids.isEmpty()) {
      throw new InvalidRequestException(resource + ": a container request names no devices");
    }
    Problems problems = new Problems();
    List<AdvertisedDevice> result = usable(ids, problems);
    problems.throwIfAny(resource);
    return result;
  }

  /**
   * Checks a GetPreferredAllocation request for one container.
   *
   * @throws InvalidRequestException naming unknown, duplicate or unhealthy IDs, must-include IDs that are not
   *     available, and sizes that cannot be met
   */
  void checkPreference(
      String resource, List<String> available, List<String> mustInclude, int size) {
    Problems problems = new Problems();
    usable(available, problems);
    Set<String> offered = new HashSet<>(available);
    Set<String> mustSeen = new HashSet<>();
    for (String id : mustInclude) {
      if (!mustSeen.add(id)) {
        problems.duplicate.add(id);
      } else if (!offered.contains(id)) {
        problems.notAvailable.add(id);
      }
    }
    problems.throwIfAny(resource);
    if (size < 1 || size > available.size() || size < mustInclude.size()) {
      throw new InvalidRequestException(String.format(
          "%s: allocation size %d cannot be met from %d available device(s) with %d required",
          resource, size, available.size(), mustInclude.size()));
    }
  }

  /** The advertised, healthy devices among {@code ids}, in order; every other ID is recorded in {@code problems}. */
  private List<AdvertisedDevice> usable(List<String> ids, Problems problems) {
    List<AdvertisedDevice> result = new ArrayList<>(ids.size());
    Set<String> seen = new HashSet<>();
    for (String id : ids) {
      AdvertisedDevice device = byId.get(id);
      if (!seen.add(id)) {
        problems.duplicate.add(id);
      } else if (device == null) {
        problems.unknown.add(id);
      } else if (!device.healthy()) {
        problems.unhealthy.add(id);
      } else {
        result.add(device);
      }
    }
    return result;
  }

  /** Collects every problem of a request so one error names them all. */
  private static final class Problems {
    final Set<String> unknown = new LinkedHashSet<>();
    final Set<String> duplicate = new LinkedHashSet<>();
    final Set<String> unhealthy = new LinkedHashSet<>();
    final Set<String> notAvailable = new LinkedHashSet<>();

    void throwIfAny(String resource) {
      List<String> parts = new ArrayList<>();
      add(parts, "unknown device IDs", unknown);
      add(parts, "duplicate device IDs", duplicate);
      add(parts, "unhealthy device IDs", unhealthy);
      add(parts, "must-include IDs not available", notAvailable);
      if (!parts.isEmpty()) {
        throw new InvalidRequestException(resource + ": " + String.join("; ", parts));
      }
    }

    private static void add(List<String> parts, String label, Set<String> ids) {
      if (!ids.isEmpty()) {
        parts.add(label + " " + ids);
      }
    }
  }
}
