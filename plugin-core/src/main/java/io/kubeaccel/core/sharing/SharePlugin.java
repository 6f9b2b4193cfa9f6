package io.kubeaccel.core.sharing;

import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.sharing.ShareAllocator.Decision;
import io.kubeaccel.core.sharing.ShareAllocator.Placed;
import io.kubeaccel.core.spi.AdvertisedDevice;
import io.kubeaccel.core.spi.AllocationRequest;
import io.kubeaccel.core.spi.ContainerAllocation;
import io.kubeaccel.core.spi.ModePlugin;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One resource of a {@link ShareFamily} (its core or its memory resource), advertised as slices of the eligible
 * cards. Both resources of a family share one {@link SharedCards}, which ties a container's two Allocates to one
 * card: the second answers everything (through the mode's {@code respond}), the first nothing card-specific.
 */
public final class SharePlugin implements ModePlugin {

  private static final ContainerAllocation NOTHING =
      new ContainerAllocation(Map.of(), List.of(), List.of(), Map.of(), List.of());

  private final String resource;
  private final String idTag;
  private final SharedCards cards;
  private final Function<Placed, ContainerAllocation> respond;

  /**
   * @param resource the family's core or memory resource
   * @param idTag the middle of the device IDs, {@code <uuid>-<idTag>-<n>}; never change it for a released mode
   * @param respond what a placed container receives: the mode's enforcement (limits, mounts, device nodes)
   */
  public SharePlugin(
      String resource,
      String idTag,
      SharedCards cards,
      Function<Placed, ContainerAllocation> respond) {
    if (!cards.family().covers(resource)) {
      throw new IllegalArgumentException(
          resource + " is not a resource of the " + cards.family().name() + " family");
    }
    this.resource = resource;
    this.idTag = idTag;
    this.cards = cards;
    this.respond = respond;
  }

  @Override
  public String resourceName() {
    return resource;
  }

  @Override
  public List<AdvertisedDevice> devices(Inventory inventory) {
    return SliceDevices.of(cards.family(), resource, cards.eligible(inventory), idTag);
  }

  @Override
  public ContainerAllocation allocate(AllocationRequest request) {
    Decision decision = cards.allocate(resource, request.deviceIds(), request.inventory());
    if (decision instanceof Placed placed) {
      return respond.apply(placed);
    }
    return NOTHING;
  }
}
