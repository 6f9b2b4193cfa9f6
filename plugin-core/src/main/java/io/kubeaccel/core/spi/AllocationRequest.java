package io.kubeaccel.core.spi;

import io.kubeaccel.core.inventory.Inventory;
import java.util.List;

/**
 * The devices the kubelet assigned to one container, validated by the core.
 *
 * @param deviceIds advertised, healthy, distinct IDs in the kubelet's order
 * @param devices the same devices as advertised, in the same order
 * @param inventory the snapshot they were advertised for
 */
public record AllocationRequest(
    List<String> deviceIds, List<AdvertisedDevice> devices, Inventory inventory) {

  public AllocationRequest {
    deviceIds = List.copyOf(deviceIds);
    devices = List.copyOf(devices);
  }
}
