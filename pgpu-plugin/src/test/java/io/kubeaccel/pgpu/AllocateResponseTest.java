package io.kubeaccel.pgpu;

import static io.kubeaccel.pgpu.Cards.allocate;
import static io.kubeaccel.pgpu.Cards.cards;
import static io.kubeaccel.pgpu.Cards.plugin;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.spi.ContainerAllocation;
import io.kubeaccel.core.spi.ContainerAllocation.DeviceNode;
import io.kubeaccel.core.spi.ContainerAllocation.Mount;
import io.kubeaccel.pgpu.config.DeviceIdStrategy;
import io.kubeaccel.pgpu.config.DeviceListStrategy;
import io.kubeaccel.pgpu.config.PgpuConfig;
import io.kubeaccel.pgpu.config.SharedAllocationPolicy;
import io.kubeaccel.pgpu.config.TimeSlicing;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What a container receives, for every device-list strategy, ID strategy and the device-spec option. */
class AllocateResponseTest {

  private static final Inventory FOUR = cards(4);

  private static PgpuConfig config(
      List<DeviceListStrategy> lists, DeviceIdStrategy ids, boolean specs) {
    return new PgpuConfig(
        io.kubeaccel.pgpu.config.MigStrategy.NONE,
        true,
        specs,
        lists,
        ids,
        PgpuConfig.DEFAULT_CDI_ANNOTATION_PREFIX,
        SharedAllocationPolicy.DISTRIBUTED,
        TimeSlicing.NONE);
  }

  private static ContainerAllocation respond(PgpuConfig config) {
    return allocate(plugin(config, FOUR, GpuResourcePlugin.GPU), FOUR, "GPU-2", "GPU-0");
  }

  @ParameterizedTest
  @EnumSource(DeviceIdStrategy.class)
  void envvarNamesTheCardsInRequestOrder(DeviceIdStrategy ids) {
    ContainerAllocation response = respond(config(List.of(DeviceListStrategy.ENVVAR), ids, false));
    String expected = ids == DeviceIdStrategy.UUID ? "GPU-2,GPU-0" : "2,0";
    assertThat(response.envs()).isEqualTo(Map.of("NVIDIA_VISIBLE_DEVICES", expected));
    assertThat(response.mounts()).isEmpty();
    assertThat(response.annotations()).isEmpty();
    assertThat(response.cdiDevices()).isEmpty();
    assertThat(response.devices()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(DeviceIdStrategy.class)
  void volumeMountsListTheCardsAsDevNullMountsUnderTheRuntimesDirectory(DeviceIdStrategy ids) {
    ContainerAllocation response =
        respond(config(List.of(DeviceListStrategy.VOLUME_MOUNTS), ids, false));
    String first = ids == DeviceIdStrategy.UUID ? "GPU-2" : "2";
    String second = ids == DeviceIdStrategy.UUID ? "GPU-0" : "0";
    assertThat(response.envs())
        .isEqualTo(Map.of("NVIDIA_VISIBLE_DEVICES", "/var/run/nvidia-container-devices"));
    assertThat(response.mounts())
        .containsExactly(
            new Mount("/var/run/nvidia-container-devices/" + first, "/dev/null", false),
            new Mount("/var/run/nvidia-container-devices/" + second, "/dev/null", false));
  }

  @ParameterizedTest
  @EnumSource(DeviceIdStrategy.class)
  void cdiStrategiesNameCdiDevicesOfNvidiasKind(DeviceIdStrategy ids) {
    ContainerAllocation response = respond(config(
        List.of(DeviceListStrategy.CDI_ANNOTATIONS, DeviceListStrategy.CDI_CRI), ids, false));
    String first = ids == DeviceIdStrategy.UUID ? "GPU-2" : "2";
    String second = ids == DeviceIdStrategy.UUID ? "GPU-0" : "0";
    List<String> names = List.of(
        "k8s.device-plugin.nvidia.com/gpu=" + first, "k8s.device-plugin.nvidia.com/gpu=" + second);
    assertThat(response.envs()).isEmpty();
    assertThat(response.cdiDevices()).isEqualTo(names);
    assertThat(response.annotations()).hasSize(1);
    Map.Entry<String, String> annotation =
        response.annotations().entrySet().iterator().next();
    assertThat(annotation.getKey()).startsWith("cdi.k8s.io/nvidia-device-plugin_");
    assertThat(annotation.getKey().length()).isLessThanOrEqualTo("cdi.k8s.io/".length() + 63);
    assertThat(annotation.getValue()).isEqualTo(String.join(",", names));
  }

  @Test
  void severalStrategiesCombineAndTheAnnotationKeyIsStablePerDeviceSet() {
    PgpuConfig config = config(
        List.of(DeviceListStrategy.ENVVAR, DeviceListStrategy.CDI_ANNOTATIONS),
        DeviceIdStrategy.UUID,
        false);
    ContainerAllocation first = respond(config);
    assertThat(first.envs()).containsEntry("NVIDIA_VISIBLE_DEVICES", "GPU-2,GPU-0");
    assertThat(first.annotations()).isEqualTo(respond(config).annotations());
  }

  @Test
  void passDeviceSpecsAddsEachCardsNodeAndThePresentControlNodes() {
    ContainerAllocation response =
        respond(config(List.of(DeviceListStrategy.ENVVAR), DeviceIdStrategy.UUID, true));
    assertThat(response.devices())
        .containsExactly(
            new DeviceNode("/dev/nvidia2", "/dev/nvidia2", "rw"),
            new DeviceNode("/dev/nvidia0", "/dev/nvidia0", "rw"),
            new DeviceNode("/dev/nvidiactl", "/dev/nvidiactl", "rw"),
            new DeviceNode("/dev/nvidia-uvm", "/dev/nvidia-uvm", "rw"));
  }

  @Test
  void everyStrategyCombinationAnswersWithTheCardsItPromises() {
    List<DeviceListStrategy> all = List.of(DeviceListStrategy.values());
    for (int mask = 1; mask < 1 << all.size(); mask++) {
      int bits = mask;
      List<DeviceListStrategy> chosen =
          all.stream().filter(s -> (bits & (1 << s.ordinal())) != 0).toList();
      ContainerAllocation response = respond(config(chosen, DeviceIdStrategy.UUID, false));
      boolean named = response.envs().containsKey("NVIDIA_VISIBLE_DEVICES")
          || !response.annotations().isEmpty()
          || !response.cdiDevices().isEmpty();
      assertThat(named).as("strategies %s name the cards somehow", chosen).isTrue();
      assertThat(response.mounts().isEmpty())
          .isEqualTo(!chosen.contains(DeviceListStrategy.VOLUME_MOUNTS));
      assertThat(response.cdiDevices().isEmpty())
          .isEqualTo(!chosen.contains(DeviceListStrategy.CDI_CRI));
      assertThat(response.annotations().isEmpty())
          .isEqualTo(!chosen.contains(DeviceListStrategy.CDI_ANNOTATIONS));
      assertThat(Set.copyOf(chosen)).hasSameSizeAs(chosen);
    }
  }
}
