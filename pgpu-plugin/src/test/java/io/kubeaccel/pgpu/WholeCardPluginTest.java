package io.kubeaccel.pgpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.core.inventory.DeviceNodes;
import io.kubeaccel.core.inventory.DriverInfo;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Health;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.Topology;
import io.kubeaccel.core.spi.AdvertisedDevice;
import io.kubeaccel.core.spi.AllocationRequest;
import io.kubeaccel.core.spi.ContainerAllocation;
import io.kubeaccel.core.spi.ContainerAllocation.DeviceNode;
import io.kubeaccel.nvml.ComputeCapability;
import io.kubeaccel.nvml.CudaVersion;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WholeCardPluginTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final DeviceNodes NODES =
      new DeviceNodes(java.nio.file.Path.of("/dev"), List.of("/dev/nvidiactl", "/dev/nvidia-uvm"));

  private static Gpu gpu(int index, int minor, int numa, Gpu.MigState mig) {
    return new Gpu(
        index,
        "GPU-" + index,
        "NVIDIA A100-SXM4-40GB",
        minor,
        "0000:0" + index + ":00.0",
        numa,
        40L << 30,
        new ComputeCapability(8, 0),
        mig);
  }

  private static Inventory inventory(Gpu... gpus) {
    return Inventory.of(
        List.of(gpus),
        Topology.unknown(gpus.length),
        new DriverInfo("550.54.15", new CudaVersion(12, 4)),
        T0);
  }

  @Test
  void everyCardIsOneDeviceIdentifiedByItsUuidOnItsNumaNode() {
    Inventory inventory =
        inventory(gpu(0, 0, 0, Gpu.MigState.DISABLED), gpu(1, 1, -1, Gpu.MigState.UNSUPPORTED));
    List<AdvertisedDevice> devices =
        new WholeCardPlugin(WholeCardOptions.defaults(), NODES).devices(inventory);
    assertThat(devices)
        .containsExactly(
            new AdvertisedDevice("GPU-0", "GPU-0", true, List.of(0)),
            new AdvertisedDevice("GPU-1", "GPU-1", true, List.of()));
  }

  @Test
  void anUnhealthyCardIsAdvertisedUnhealthy() {
    Inventory inventory = inventory(gpu(0, 0, 0, Gpu.MigState.DISABLED))
        .withHealth("GPU-0", Health.unhealthy("XID 79", T0));
    assertThat(new WholeCardPlugin(WholeCardOptions.defaults(), NODES)
            .devices(inventory)
            .get(0)
            .healthy())
        .isFalse();
  }

  @Test
  void cardsInMigModeAreNotAdvertisedAsWholeCards() {
    Inventory inventory =
        inventory(gpu(0, 0, 0, Gpu.MigState.ENABLED), gpu(1, 1, 0, Gpu.MigState.DISABLED));
    assertThat(new WholeCardPlugin(WholeCardOptions.defaults(), NODES).devices(inventory))
        .extracting(AdvertisedDevice::id)
        .containsExactly("GPU-1");
  }

  @Test
  void allocateNamesTheCardsInVisibleDevicesWithoutDeviceSpecsByDefault() {
    Inventory inventory =
        inventory(gpu(0, 0, 0, Gpu.MigState.DISABLED), gpu(1, 5, 0, Gpu.MigState.DISABLED));
    ContainerAllocation allocation =
        allocate(WholeCardOptions.defaults(), inventory, "GPU-1", "GPU-0");
    assertThat(allocation.envs())
        .containsExactlyEntriesOf(java.util.Map.of("NVIDIA_VISIBLE_DEVICES", "GPU-1,GPU-0"));
    assertThat(allocation.devices()).isEmpty();
    assertThat(allocation.mounts()).isEmpty();
  }

  @Test
  void passDeviceSpecsAddsEachCardsNodeAndThePresentControlNodes() {
    Inventory inventory =
        inventory(gpu(0, 0, 0, Gpu.MigState.DISABLED), gpu(1, 5, 0, Gpu.MigState.DISABLED));
    ContainerAllocation allocation = allocate(
        new WholeCardOptions(true, WholeCardOptions.DeviceIdStrategy.UUID), inventory, "GPU-1");
    assertThat(allocation.devices())
        .containsExactly(
            new DeviceNode("/dev/nvidia5", "/dev/nvidia5", "rw"),
            new DeviceNode("/dev/nvidiactl", "/dev/nvidiactl", "rw"),
            new DeviceNode("/dev/nvidia-uvm", "/dev/nvidia-uvm", "rw"));
  }

  @Test
  void theIndexStrategyNamesCardsByNvmlIndex() {
    Inventory inventory =
        inventory(gpu(0, 0, 0, Gpu.MigState.DISABLED), gpu(1, 1, 0, Gpu.MigState.DISABLED));
    ContainerAllocation allocation = allocate(
        new WholeCardOptions(false, WholeCardOptions.DeviceIdStrategy.INDEX),
        inventory,
        "GPU-0",
        "GPU-1");
    assertThat(allocation.envs()).containsEntry("NVIDIA_VISIBLE_DEVICES", "0,1");
  }

  private static ContainerAllocation allocate(
      WholeCardOptions options, Inventory inventory, String... ids) {
    WholeCardPlugin plugin = new WholeCardPlugin(options, NODES);
    List<AdvertisedDevice> advertised = plugin.devices(inventory);
    List<AdvertisedDevice> chosen = List.of(ids).stream()
        .map(
            id -> advertised.stream().filter(d -> d.id().equals(id)).findFirst().orElseThrow())
        .toList();
    return plugin.allocate(new AllocationRequest(List.of(ids), chosen, inventory));
  }
}
