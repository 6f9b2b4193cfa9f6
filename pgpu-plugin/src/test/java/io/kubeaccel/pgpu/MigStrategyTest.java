package io.kubeaccel.pgpu;

import static io.kubeaccel.pgpu.Cards.allocate;
import static io.kubeaccel.pgpu.Cards.gpu;
import static io.kubeaccel.pgpu.Cards.inventory;
import static io.kubeaccel.pgpu.Cards.plugin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Health;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.MigDevice;
import io.kubeaccel.core.spi.AdvertisedDevice;
import io.kubeaccel.core.spi.ContainerAllocation;
import io.kubeaccel.core.spi.ContainerAllocation.DeviceNode;
import io.kubeaccel.core.spi.ModePlugin;
import io.kubeaccel.pgpu.config.ConfigException;
import io.kubeaccel.pgpu.config.DeviceIdStrategy;
import io.kubeaccel.pgpu.config.MigStrategy;
import io.kubeaccel.pgpu.config.PgpuConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class MigStrategyTest {

  private static MigDevice mig(String uuid, int slot, String profile, int gi) {
    return new MigDevice(uuid, slot, profile, gi, 0, 5L << 30);
  }

  /** gpu0 whole; gpu1 in MIG mode with a 3g.20gb and two 1g.5gb. */
  private static final Inventory MIXED = inventory(
      gpu(0, 0, 0, Gpu.MigState.DISABLED),
      gpu(
          1,
          1,
          1,
          Gpu.MigState.ENABLED,
          List.of(
              mig("MIG-a", 0, "3g.20gb", 2),
              mig("MIG-b", 1, "1g.5gb", 3),
              mig("MIG-c", 2, "1g.5gb", 4))));

  /** Two cards, both in MIG mode with 1g.5gb only. */
  private static final Inventory UNIFORM = inventory(
      gpu(
          0,
          0,
          0,
          Gpu.MigState.ENABLED,
          List.of(mig("MIG-0a", 0, "1g.5gb", 7), mig("MIG-0b", 1, "1g.5gb", 8))),
      gpu(1, 1, 1, Gpu.MigState.ENABLED, List.of(mig("MIG-1a", 0, "1g.5gb", 3))));

  private static PgpuConfig config(MigStrategy strategy, DeviceIdStrategy ids, boolean specs) {
    PgpuConfig d = PgpuConfig.defaults();
    return new PgpuConfig(
        strategy,
        true,
        specs,
        d.deviceListStrategies(),
        ids,
        d.cdiAnnotationPrefix(),
        d.sharedAllocationPolicy(),
        d.timeSlicing());
  }

  private static List<String> resources(PgpuConfig config, Inventory inventory) {
    return PgpuMode.plugins(config, Cards.NODES, inventory).stream()
        .map(ModePlugin::resourceName)
        .toList();
  }

  @Test
  void strategyNoneSkipsCardsInMigMode() {
    PgpuConfig config = config(MigStrategy.NONE, DeviceIdStrategy.UUID, false);
    assertThat(resources(config, MIXED)).containsExactly("nvidia.com/gpu");
    assertThat(plugin(config, MIXED, "nvidia.com/gpu").devices(MIXED))
        .extracting(AdvertisedDevice::id)
        .containsExactly("GPU-0");
  }

  @Test
  void strategyMixedServesEachProfileAsItsOwnResource() {
    PgpuConfig config = config(MigStrategy.MIXED, DeviceIdStrategy.UUID, false);
    assertThat(resources(config, MIXED))
        .containsExactly("nvidia.com/gpu", "nvidia.com/mig-3g.20gb", "nvidia.com/mig-1g.5gb");
    ModePlugin small = plugin(config, MIXED, "nvidia.com/mig-1g.5gb");
    assertThat(small.devices(MIXED))
        .containsExactly(
            new AdvertisedDevice("MIG-b", "GPU-1", true, List.of(1)),
            new AdvertisedDevice("MIG-c", "GPU-1", true, List.of(1)));
    assertThat(allocate(small, MIXED, "MIG-c").envs())
        .containsEntry("NVIDIA_VISIBLE_DEVICES", "MIG-c");
  }

  @Test
  void migDevicesFollowTheirCardsHealth() {
    PgpuConfig config = config(MigStrategy.MIXED, DeviceIdStrategy.UUID, false);
    Inventory sick = MIXED.withHealth("GPU-1", Health.unhealthy("XID 79", Cards.T0));
    assertThat(plugin(config, sick, "nvidia.com/mig-1g.5gb").devices(sick))
        .noneMatch(AdvertisedDevice::healthy);
    assertThat(plugin(config, sick, "nvidia.com/gpu").devices(sick))
        .allMatch(AdvertisedDevice::healthy);
  }

  @Test
  void theIndexStrategyNamesMigDevicesCardColonSlot() {
    PgpuConfig config = config(MigStrategy.MIXED, DeviceIdStrategy.INDEX, false);
    assertThat(allocate(plugin(config, MIXED, "nvidia.com/mig-1g.5gb"), MIXED, "MIG-b", "MIG-c")
            .envs())
        .containsEntry("NVIDIA_VISIBLE_DEVICES", "1:1,1:2");
  }

  @Test
  void deviceSpecsOfAMigDeviceAreItsCardAndItsCapabilityNodes() {
    PgpuConfig config = config(MigStrategy.MIXED, DeviceIdStrategy.UUID, true);
    ContainerAllocation response =
        allocate(plugin(config, MIXED, "nvidia.com/mig-1g.5gb"), MIXED, "MIG-b");
    assertThat(response.devices())
        .containsExactly(
            new DeviceNode("/dev/nvidia1", "/dev/nvidia1", "rw"),
            new DeviceNode("/dev/nvidia-caps/nvidia-cap30", "/dev/nvidia-caps/nvidia-cap30", "rw"),
            new DeviceNode("/dev/nvidia-caps/nvidia-cap31", "/dev/nvidia-caps/nvidia-cap31", "rw"),
            new DeviceNode("/dev/nvidiactl", "/dev/nvidiactl", "rw"),
            new DeviceNode("/dev/nvidia-uvm", "/dev/nvidia-uvm", "rw"));
  }

  @Test
  void strategySingleServesEveryMigDeviceAsAGpu() {
    PgpuConfig config = config(MigStrategy.SINGLE, DeviceIdStrategy.UUID, false);
    assertThat(resources(config, UNIFORM)).containsExactly("nvidia.com/gpu");
    assertThat(plugin(config, UNIFORM, "nvidia.com/gpu").devices(UNIFORM))
        .extracting(AdvertisedDevice::id)
        .containsExactly("MIG-0a", "MIG-0b", "MIG-1a");
  }

  @Test
  void strategySingleOnANodeWithoutMigServesWholeCards() {
    Inventory plain = Cards.cards(2);
    assertThat(plugin(
                config(MigStrategy.SINGLE, DeviceIdStrategy.UUID, false), plain, "nvidia.com/gpu")
            .devices(plain))
        .extracting(AdvertisedDevice::id)
        .containsExactly("GPU-0", "GPU-1");
  }

  @Test
  void strategySingleRefusesMixedNodesSayingWhy() {
    assertThatThrownBy(() -> PgpuMode.plugins(
            config(MigStrategy.SINGLE, DeviceIdStrategy.UUID, false), Cards.NODES, MIXED))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "mig-strategy single needs every card in MIG mode with one profile: gpu0 is not in MIG mode;"
                + " profiles 1g.5gb, 3g.20gb are mixed (use mig-strategy mixed for such nodes)");
  }
}
