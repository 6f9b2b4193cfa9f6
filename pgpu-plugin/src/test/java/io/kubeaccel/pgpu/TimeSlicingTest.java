package io.kubeaccel.pgpu;

import static io.kubeaccel.pgpu.Cards.T0;
import static io.kubeaccel.pgpu.Cards.allocate;
import static io.kubeaccel.pgpu.Cards.cards;
import static io.kubeaccel.pgpu.Cards.plugin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.core.inventory.Health;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.spi.AdvertisedDevice;
import io.kubeaccel.core.spi.InvalidRequestException;
import io.kubeaccel.core.spi.ModePlugin;
import io.kubeaccel.core.spi.PreferenceRequest;
import io.kubeaccel.core.spi.PreferredAllocator;
import io.kubeaccel.pgpu.config.ConfigException;
import io.kubeaccel.pgpu.config.PgpuConfig;
import io.kubeaccel.pgpu.config.SharedAllocationPolicy;
import io.kubeaccel.pgpu.config.TimeSlicing;
import io.kubeaccel.pgpu.config.TimeSlicing.ReplicaDevices;
import io.kubeaccel.pgpu.config.TimeSlicing.ReplicatedResource;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimeSlicingTest {

  private static final Inventory TWO = cards(2);

  private static PgpuConfig sliced(
      boolean rename,
      boolean failMany,
      SharedAllocationPolicy policy,
      ReplicatedResource... resources) {
    PgpuConfig defaults = PgpuConfig.defaults();
    return new PgpuConfig(
        defaults.migStrategy(),
        true,
        false,
        defaults.deviceListStrategies(),
        defaults.deviceIdStrategy(),
        defaults.cdiAnnotationPrefix(),
        policy,
        new TimeSlicing(rename, failMany, List.of(resources)));
  }

  private static ReplicatedResource gpus(ReplicaDevices devices, int replicas) {
    return new ReplicatedResource(GpuResourcePlugin.GPU, null, devices, replicas);
  }

  @Test
  void replicasAreAdvertisedAsUuidColonColonIndex() {
    ModePlugin plugin = plugin(
        sliced(false, false, SharedAllocationPolicy.DISTRIBUTED, gpus(new ReplicaDevices.All(), 3)),
        TWO,
        GpuResourcePlugin.GPU);
    assertThat(plugin.devices(TWO))
        .extracting(AdvertisedDevice::id)
        .containsExactly("GPU-0::0", "GPU-0::1", "GPU-0::2", "GPU-1::0", "GPU-1::1", "GPU-1::2");
  }

  @Test
  void everyReplicaFollowsItsCardsHealth() {
    ModePlugin plugin = plugin(
        sliced(false, false, SharedAllocationPolicy.DISTRIBUTED, gpus(new ReplicaDevices.All(), 4)),
        TWO,
        GpuResourcePlugin.GPU);
    Inventory sick = TWO.withHealth("GPU-1", Health.unhealthy("XID 79", T0));
    assertThat(plugin.devices(sick))
        .allSatisfy(d -> assertThat(d.healthy()).isEqualTo(d.gpuUuid().equals("GPU-0")));
    assertThat(plugin.devices(sick).stream().filter(d -> !d.healthy())).hasSize(4);
  }

  @Test
  void renameByDefaultServesReplicasAsSharedAndOnlyChosenCardsMove() {
    PgpuConfig config = sliced(
        true,
        false,
        SharedAllocationPolicy.DISTRIBUTED,
        gpus(new ReplicaDevices.Listed(List.of("1")), 2));
    assertThat(PgpuMode.plugins(config, Cards.NODES, TWO))
        .extracting(ModePlugin::resourceName)
        .containsExactly("nvidia.com/gpu", "nvidia.com/gpu.shared");
    assertThat(plugin(config, TWO, "nvidia.com/gpu").devices(TWO))
        .extracting(AdvertisedDevice::id)
        .containsExactly("GPU-0");
    assertThat(plugin(config, TWO, "nvidia.com/gpu.shared").devices(TWO))
        .extracting(AdvertisedDevice::id)
        .containsExactly("GPU-1::0", "GPU-1::1");
  }

  @Test
  void aCountReplicatesTheFirstCards() {
    PgpuConfig config = sliced(
        false, false, SharedAllocationPolicy.DISTRIBUTED, gpus(new ReplicaDevices.Count(1), 2));
    assertThat(plugin(config, TWO, GpuResourcePlugin.GPU).devices(TWO))
        .extracting(AdvertisedDevice::id)
        .containsExactly("GPU-0::0", "GPU-0::1", "GPU-1");
  }

  @Test
  void twoReplicasOfOneCardNameTheCardOnce() {
    ModePlugin plugin = plugin(
        sliced(false, false, SharedAllocationPolicy.DISTRIBUTED, gpus(new ReplicaDevices.All(), 2)),
        TWO,
        GpuResourcePlugin.GPU);
    assertThat(allocate(plugin, TWO, "GPU-1::0", "GPU-1::1").envs())
        .containsEntry("NVIDIA_VISIBLE_DEVICES", "GPU-1");
  }

  @Test
  void failRequestsGreaterThanOneRefusesTwoReplicasWithNvidiasWording() {
    ModePlugin plugin = plugin(
        sliced(false, true, SharedAllocationPolicy.DISTRIBUTED, gpus(new ReplicaDevices.All(), 2)),
        TWO,
        GpuResourcePlugin.GPU);
    assertThat(allocate(plugin, TWO, "GPU-0::1").envs())
        .containsEntry("NVIDIA_VISIBLE_DEVICES", "GPU-0");
    assertThatThrownBy(() -> allocate(plugin, TWO, "GPU-0::0", "GPU-1::0"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage(
            "request for 'nvidia.com/gpu: 2' too large: maximum request size for shared resources is 1");
  }

  @Test
  void distributedSpreadsOverTheLeastUsedCardsAndPackedFillsTheBusiestFirst() {
    // GPU-0 has replica 0 taken (not available), GPU-1 is untouched.
    List<String> available = List.of("GPU-0::1", "GPU-0::2", "GPU-1::0", "GPU-1::1", "GPU-1::2");
    ReplicatedResource three = gpus(new ReplicaDevices.All(), 3);
    PreferredAllocator distributed = (PreferredAllocator) plugin(
        sliced(false, false, SharedAllocationPolicy.DISTRIBUTED, three),
        TWO,
        GpuResourcePlugin.GPU);
    PreferredAllocator packed = (PreferredAllocator) plugin(
        sliced(false, false, SharedAllocationPolicy.PACKED, three), TWO, GpuResourcePlugin.GPU);
    assertThat(distributed.preferredAllocation(new PreferenceRequest(available, List.of(), 1, TWO)))
        .containsExactly("GPU-1::0");
    assertThat(distributed.preferredAllocation(new PreferenceRequest(available, List.of(), 3, TWO)))
        .containsExactly("GPU-1::0", "GPU-0::1", "GPU-1::1");
    assertThat(packed.preferredAllocation(new PreferenceRequest(available, List.of(), 2, TWO)))
        .containsExactly("GPU-0::1", "GPU-0::2");
    assertThat(packed.preferredAllocation(
            new PreferenceRequest(available, List.of("GPU-1::2"), 2, TWO)))
        .containsExactly("GPU-1::2", "GPU-0::1");
  }

  @Test
  void slicingAResourceOrDeviceTheNodeDoesNotHaveIsAConfigurationError() {
    assertThatThrownBy(() -> PgpuMode.plugins(
            sliced(
                false,
                false,
                SharedAllocationPolicy.DISTRIBUTED,
                new ReplicatedResource("nvidia.com/mig-1g.5gb", null, new ReplicaDevices.All(), 2)),
            Cards.NODES,
            TWO))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "nvidia.com/mig-1g.5gb is not served on this node; it serves nvidia.com/gpu");
    assertThatThrownBy(() -> PgpuMode.plugins(
            sliced(
                false,
                false,
                SharedAllocationPolicy.DISTRIBUTED,
                gpus(new ReplicaDevices.Listed(List.of("7")), 2)),
            Cards.NODES,
            TWO))
        .hasMessageContaining("nvidia.com/gpu has no device 7");
    assertThatThrownBy(() -> PgpuMode.plugins(
            sliced(
                false,
                false,
                SharedAllocationPolicy.DISTRIBUTED,
                gpus(new ReplicaDevices.Count(3), 2)),
            Cards.NODES,
            TWO))
        .hasMessageContaining("3 asked, the node has 2");
  }
}
