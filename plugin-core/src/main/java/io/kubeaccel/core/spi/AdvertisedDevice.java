package io.kubeaccel.core.spi;

import java.util.List;

/**
 * One device as the kubelet sees it.
 *
 * @param id unique within the resource, stable across restarts, at most 63 characters
 * @param gpuUuid the physical card it belongs to (a whole card, a replica or a slice of it)
 * @param healthy whether it may be handed out (follows its card)
 * @param numaNodes NUMA nodes it is local to; empty when the platform reports none
 */
public record AdvertisedDevice(
    String id, String gpuUuid, boolean healthy, List<Integer> numaNodes) {

  /** The kubelet's limit on device ID length. */
  public static final int MAX_ID_LENGTH = 63;

  public AdvertisedDevice {
    numaNodes = List.copyOf(numaNodes);
  }
}
