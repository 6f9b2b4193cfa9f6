package io.kubeaccel.vgpu;

import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.sharing.ShareAllocator.Decision;
import io.kubeaccel.core.sharing.ShareAllocator.Placed;
import io.kubeaccel.core.sharing.SharedCards;
import io.kubeaccel.core.spi.AdvertisedDevice;
import io.kubeaccel.core.spi.AllocationRequest;
import io.kubeaccel.core.spi.ContainerAllocation;
import io.kubeaccel.core.spi.ModePlugin;
import java.util.List;
import java.util.Map;

/**
 * {@code tencent.com/vcuda-core} or {@code tencent.com/vcuda-memory}: slices of cards. Both resources share one
 * {@link SharedCards}, which ties a container's two Allocates to one card; the second answers everything, the first
 * nothing card-specific.
 */
public final class VcudaPlugin implements ModePlugin {

  private final String resource;
  private final SharedCards cards;
  private final EnforcementBackend backend;

  public VcudaPlugin(String resource, SharedCards cards, EnforcementBackend backend) {
    this.resource = resource;
    this.cards = cards;
    this.backend = backend;
  }

  @Override
  public String resourceName() {
    return resource;
  }

  @Override
  public List<AdvertisedDevice> devices(Inventory inventory) {
    return SliceDevices.of(cards.family(), resource, inventory);
  }

  @Override
  public ContainerAllocation allocate(AllocationRequest request) {
    Decision decision = cards.allocate(resource, request.deviceIds(), request.inventory());
    if (decision instanceof Placed placed) {
      return backend.respond(placed);
    }
    return new ContainerAllocation(Map.of(), List.of(), List.of(), Map.of(), List.of());
  }
}
