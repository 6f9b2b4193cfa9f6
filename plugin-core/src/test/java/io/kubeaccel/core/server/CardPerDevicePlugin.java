package io.kubeaccel.core.server;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.spi.AdvertisedDevice;
import io.kubeaccel.core.spi.AllocationRequest;
import io.kubeaccel.core.spi.ContainerAllocation;
import io.kubeaccel.core.spi.ModePlugin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The simplest mode: one device per card, the IDs handed back in an env var. Keeps core tests free of mode logic. */
final class CardPerDevicePlugin implements ModePlugin {

  static final String RESOURCE = "example.com/card";

  @Override
  public String resourceName() {
    return RESOURCE;
  }

  @Override
  public List<AdvertisedDevice> devices(Inventory inventory) {
    List<AdvertisedDevice> devices = new ArrayList<>();
    for (Gpu gpu : inventory.gpus()) {
      devices.add(new AdvertisedDevice(
          gpu.uuid(),
          gpu.uuid(),
          inventory.health(gpu.uuid()).healthy(),
          gpu.numaNode() < 0 ? List.of() : List.of(gpu.numaNode())));
    }
    return devices;
  }

  @Override
  public ContainerAllocation allocate(AllocationRequest request) {
    return new ContainerAllocation(
        Map.of("CARDS", String.join(",", request.deviceIds())),
        List.of(),
        List.of(),
        Map.of(),
        List.of());
  }
}
