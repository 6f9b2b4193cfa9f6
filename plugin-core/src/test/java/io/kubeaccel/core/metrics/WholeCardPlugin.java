package io.kubeaccel.core.metrics;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.spi.AdvertisedDevice;
import io.kubeaccel.core.spi.AllocationRequest;
import io.kubeaccel.core.spi.ContainerAllocation;
import io.kubeaccel.core.spi.ModePlugin;
import java.util.List;
import java.util.Map;

/** A mode serving every card whole under its UUID, for driving the agent's Allocate path. */
final class WholeCardPlugin implements ModePlugin {

  static final String RESOURCE = "example.com/card";

  @Override
  public String resourceName() {
    return RESOURCE;
  }

  @Override
  public List<AdvertisedDevice> devices(Inventory inventory) {
    return inventory.gpus().stream()
        .map(Gpu::uuid)
        .map(uuid -> new AdvertisedDevice(uuid, uuid, inventory.health(uuid).healthy(), List.of()))
        .toList();
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
