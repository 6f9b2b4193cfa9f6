package io.kubeaccel.core.sharing;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.spi.AdvertisedDevice;
import java.util.ArrayList;
import java.util.List;

/**
 * The devices a family's resource advertises: one per core unit and one per memory unit of every card that can be
 * shared, named after the card ({@code <uuid>-<tag>-<n>}, e.g. {@code <uuid>-vcore-0}) so each follows its card's
 * health. Which IDs the kubelet picks does not matter (the agent decides the card); how many it picks is the request.
 */
final class SliceDevices {

  private SliceDevices() {}

  /**
   * @param cards the cards that may hold shares (see {@link CardEligibility#restrict})
   * @param tag the middle of each ID, e.g. {@code vcore}; part of the IDs the kubelet checkpoints, so never changed
   */
  static List<AdvertisedDevice> of(
      ShareFamily family, String resource, Inventory cards, String tag) {
    boolean cores = resource.equals(family.coreResource());
    List<AdvertisedDevice> devices = new ArrayList<>();
    for (Gpu gpu : cards.gpus()) {
      if (gpu.mig() == Gpu.MigState.ENABLED) {
        continue; // a MIG card's compute belongs to its instances: no slices of it
      }
      long count = cores ? family.coresPerCard() : family.memoryUnitsOf(gpu.memoryBytes());
      boolean healthy = cards.health(gpu.uuid()).healthy();
      List<Integer> numa = gpu.numaNode() >= 0 ? List.of(gpu.numaNode()) : List.of();
      String prefix = gpu.uuid() + "-" + tag + "-";
      for (long i = 0; i < count; i++) {
        devices.add(new AdvertisedDevice(prefix + i, gpu.uuid(), healthy, numa));
      }
    }
    return devices;
  }
}
