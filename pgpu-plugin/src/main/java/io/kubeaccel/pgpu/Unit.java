package io.kubeaccel.pgpu;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.MigDevice;

/**
 * One thing a container can be given under a resource: a whole card, or a MIG device of a card, replicated {@code
 * replicas} times when time-sliced.
 *
 * @param uuid the card's or the MIG device's UUID; the device ID advertised (before any {@code ::<replica>})
 * @param index the NVML index: {@code 3} for a card, {@code 3:1} for MIG device 1 of card 3
 * @param card the physical card; health and NUMA placement follow it
 * @param mig the MIG device, or null for a whole card
 * @param replicas 1 for exclusive use, more when time-sliced
 */
record Unit(String uuid, String index, Gpu card, MigDevice mig, int replicas) {

  /** A whole card. */
  static Unit card(Gpu gpu) {
    return new Unit(gpu.uuid(), Integer.toString(gpu.index()), gpu, null, 1);
  }

  /** A MIG device of {@code gpu}. */
  static Unit mig(Gpu gpu, MigDevice device) {
    return new Unit(device.uuid(), gpu.index() + ":" + device.index(), gpu, device, 1);
  }

  /** Separates a unit's UUID from the replica number in advertised IDs, as NVIDIA's plugin does. */
  static final String REPLICA_SEPARATOR = "::";

  /** The unit's UUID from an advertised device ID. */
  static String uuidOf(String deviceId) {
    int at = deviceId.indexOf(REPLICA_SEPARATOR);
    return at < 0 ? deviceId : deviceId.substring(0, at);
  }

  /** The IDs this unit is advertised under. */
  java.util.List<String> deviceIds() {
    if (replicas == 1) {
      return java.util.List.of(uuid);
    }
    java.util.List<String> ids = new java.util.ArrayList<>(replicas);
    for (int i = 0; i < replicas; i++) {
      ids.add(uuid + REPLICA_SEPARATOR + i);
    }
    return ids;
  }

  Unit withReplicas(int count) {
    return new Unit(uuid, index, card, mig, count);
  }
}
