package io.kubeaccel.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.spi.AdvertisedDevice;
import io.kubeaccel.core.spi.AllocationRequest;
import io.kubeaccel.core.spi.ContainerAllocation;
import io.kubeaccel.core.spi.InvalidRequestException;
import io.kubeaccel.core.spi.ModePlugin;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceCatalogTest {

  private static ModePlugin advertising(List<AdvertisedDevice> devices) {
    return new ModePlugin() {
      @Override
      public String resourceName() {
        return "example.com/dev";
      }

      @Override
      public List<AdvertisedDevice> devices(Inventory inventory) {
        return devices;
      }

      @Override
      public ContainerAllocation allocate(AllocationRequest request) {
        throw new AssertionError("not called");
      }
    };
  }

  private static final DeviceCatalog CATALOG = DeviceCatalog.of(
      advertising(List.of(
          new AdvertisedDevice("a", "GPU-a", true, List.of(0)),
          new AdvertisedDevice("b", "GPU-b", true, List.of(1)),
          new AdvertisedDevice("sick", "GPU-c", false, List.of()))),
      Inventory.unavailable("test"));

  @Test
  void aValidRequestYieldsTheAdvertisedDevicesInRequestOrder() {
    assertThat(CATALOG.checkAllocation("example.com/dev", List.of("b", "a")))
        .extracting(AdvertisedDevice::id)
        .containsExactly("b", "a");
  }

  @Test
  void unknownDuplicateAndUnhealthyIdsAreAllNamedInOneError() {
    assertThatThrownBy(
            () -> CATALOG.checkAllocation("example.com/dev", List.of("a", "a", "ghost", "sick")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("unknown device IDs [ghost]")
        .hasMessageContaining("duplicate device IDs [a]")
        .hasMessageContaining("unhealthy device IDs [sick]");
  }

  @Test
  void anEmptyContainerRequestIsRejected() {
    assertThatThrownBy(() -> CATALOG.checkAllocation("example.com/dev", List.of()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("names no devices");
  }

  @Test
  void preferenceRequestsMustBeSatisfiable() {
    CATALOG.checkPreference("example.com/dev", List.of("a", "b"), List.of("a"), 2);
    assertThatThrownBy(() -> CATALOG.checkPreference("example.com/dev", List.of("a"), List.of(), 2))
        .hasMessageContaining("allocation size 2 cannot be met from 1 available");
    assertThatThrownBy(
            () -> CATALOG.checkPreference("example.com/dev", List.of("a"), List.of("b"), 1))
        .hasMessageContaining("must-include IDs not available [b]");
  }

  @Test
  void aPluginAdvertisingAnOverlongOrRepeatedIdIsABug() {
    String tooLong = "x".repeat(64);
    assertThatThrownBy(() -> DeviceCatalog.of(
            advertising(List.of(new AdvertisedDevice(tooLong, "GPU-a", true, List.of()))),
            Inventory.unavailable("test")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("invalid length");
    assertThatThrownBy(() -> DeviceCatalog.of(
            advertising(List.of(
                new AdvertisedDevice("a", "GPU-a", true, List.of()),
                new AdvertisedDevice("a", "GPU-b", true, List.of()))),
            Inventory.unavailable("test")))
        .hasMessageContaining("twice: a");
  }
}
