package io.kubeaccel.nvml.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.nvml.ComputeMode;
import io.kubeaccel.nvml.NvmlReturn;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The presets model the machines they are named after, and invalid inventories fail in Java. */
class FakeInventoryTest {

  @Test
  void dgx1IsAHybridCubeMeshWithSixLinksPerGpu() {
    FakeInventory dgx1 = FakeInventory.dgx1CubeMesh();
    assertThat(dgx1.gpus())
        .hasSize(8)
        .allSatisfy(gpu -> assertThat(gpu.name()).isEqualTo("Tesla V100-SXM2-16GB"));
    int pairs = 0;
    for (int i = 0; i < 8; i++) {
      int i0 = i;
      assertThat(IntStream.range(0, 8).map(j -> dgx1.nvlinks(i0, j)).sum())
          .as("links of GPU %d", i)
          .isEqualTo(6);
      for (int j = i + 1; j < 8; j++) {
        assertThat(dgx1.nvlinks(i, j)).isEqualTo(dgx1.nvlinks(j, i)).isBetween(0, 2);
        pairs += dgx1.nvlinks(i, j) > 0 ? 1 : 0;
      }
      assertThat(dgx1.gpu(i).numaNode()).isEqualTo(i / 4);
      assertThat(dgx1.gpu(i).pcieSwitch()).isEqualTo(dgx1.gpu(i ^ 1).pcieSwitch());
    }
    assertThat(pairs).isEqualTo(16);
    assertThat(
            List.of(dgx1.nvlinks(0, 3), dgx1.nvlinks(0, 4), dgx1.nvlinks(1, 2), dgx1.nvlinks(0, 5)))
        .containsExactly(2, 2, 2, 0);
  }

  @Test
  void hgxH100ReachesEveryPeerThroughEighteenSwitchLinks() {
    FakeInventory hgx = FakeInventory.hgxH100NvSwitch();
    assertThat(hgx.gpus()).hasSize(8).allSatisfy(gpu -> {
      assertThat(gpu.name()).isEqualTo("NVIDIA H100 80GB HBM3");
      assertThat(gpu.nvswitchLinks()).isEqualTo(18);
    });
    assertThat(hgx.nvlinkMatrix()).isEmpty();
  }

  @Test
  void pcieOnlyNodesSplitGpusOverTwoSocketsWithoutNvlink() {
    FakeInventory pcie = FakeInventory.pcieOnlyTwoSocket(5);
    assertThat(pcie.gpus()).extracting(FakeGpu::numaNode).containsExactly(0, 0, 0, 1, 1);
    assertThat(pcie.gpus())
        .extracting(FakeGpu::pcieSwitch)
        .containsExactly("sw0-0", "sw0-0", "sw0-1", "sw1-0", "sw1-0");
    assertThat(pcie.nvlinkMatrix()).isEmpty();
    assertThat(FakeInventory.pcieOnlyTwoSocket(64).gpus()).hasSize(64);
  }

  @Test
  void uuidsLookRealAreStableAndDifferBetweenPresets() {
    Set<String> uuids = new HashSet<>();
    for (FakeInventory inventory : List.of(
        FakeInventory.fourGpusTwoNumaNvlinkPairs(),
        FakeInventory.dgx1CubeMesh(),
        FakeInventory.hgxH100NvSwitch(),
        FakeInventory.pcieOnlyTwoSocket(8))) {
      for (FakeGpu gpu : inventory.gpus()) {
        assertThat(gpu.uuid())
            .hasSize(40)
            .matches("GPU-\\p{XDigit}{8}(-\\p{XDigit}{4}){3}-\\p{XDigit}{12}");
        uuids.add(gpu.uuid());
      }
    }
    assertThat(uuids).hasSize(4 + 8 + 8 + 8);
    assertThat(FakeInventory.dgx1CubeMesh()).isEqualTo(FakeInventory.dgx1CubeMesh());
  }

  @Test
  void toBuilderKeepsEverythingAndAddsEvents() {
    FakeInventory base = FakeInventory.dgx1CubeMesh();
    FakeInventory withEvent = base.toBuilder().xidEvent(500, 0, 79).build();
    assertThat(withEvent.gpus()).isEqualTo(base.gpus());
    assertThat(withEvent.nvlinkMatrix()).isEqualTo(base.nvlinkMatrix());
    assertThat(withEvent.driverVersion()).isEqualTo(base.driverVersion());
    assertThat(withEvent.events()).containsExactly(new FakeInventory.XidEvent(500, 0, 79));
  }

  @Test
  void rejectsInventoriesTheFakeCouldNotSimulate() {
    FakeGpu a = FakeGpu.of(FakeGpuModel.A10, "bad", 0);
    FakeGpu b = FakeGpu.of(FakeGpuModel.A10, "bad", 1);
    assertThatThrownBy(
            () -> FakeInventory.builder().gpu(a).gpu(b).nvlinks(0, 1, 19).build())
        .hasMessageContaining("NVLinks");
    assertThatThrownBy(() -> FakeInventory.builder().gpu(a).gpu(a).build())
        .hasMessageContaining("duplicate");
    assertThatThrownBy(() -> FakeInventory.builder().gpu(a).xidEvent(0, 1, 79).build())
        .hasMessageContaining("unknown GPU");
    assertThatThrownBy(() ->
            FakeInventory.builder().gpu(a).topologyMatrix(List.of(List.of(15))).build())
        .hasMessageContaining("topology level");
    assertThatThrownBy(() -> a.withUuid("GPU-1234")).hasMessageContaining("uuid");
    assertThatThrownBy(() -> a.withPciBusId("7:0")).hasMessageContaining("pciBusId");
    assertThatThrownBy(() -> new FakeInventory.Failure("nvmlInit_v2", -1, NvmlReturn.SUCCESS, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void migPresetsModelTheSingleAndMixedStrategies() {
    FakeInventory mixed = FakeInventory.a100MigMixed();
    assertThat(mixed.gpus()).hasSize(2).allSatisfy(gpu -> {
      assertThat(gpu.name()).isEqualTo("NVIDIA A100-SXM4-40GB");
      assertThat(gpu.mig()).isEqualTo(FakeGpu.Mig.ENABLED);
      assertThat(gpu.nvswitchLinks()).isEqualTo(12);
    });
    assertThat(mixed.gpu(0).migDevices())
        .extracting(FakeMigDevice::profile)
        .containsExactly("3g.20gb", "1g.5gb", "1g.5gb");
    assertThat(mixed.gpu(0).migDevices())
        .extracting(FakeMigDevice::gpuInstanceId)
        .containsExactly(1, 7, 8);
    assertThat(mixed.gpu(1).migDevices()).hasSize(7).allSatisfy(mig -> {
      assertThat(mig.profile()).isEqualTo("1g.5gb");
      assertThat(mig.memoryMiB()).isEqualTo(4864);
      assertThat(mig.multiprocessorCount()).isEqualTo(14);
    });
    FakeInventory single = FakeInventory.a100MigSingle();
    Set<String> uuids = new HashSet<>();
    for (FakeGpu gpu : single.gpus()) {
      assertThat(gpu.migDevices()).hasSize(FakeGpu.MAX_MIG_DEVICES);
      for (FakeMigDevice mig : gpu.migDevices()) {
        assertThat(mig.profile()).isEqualTo("1g.5gb");
        assertThat(mig.uuid()).startsWith("MIG-").hasSize(40);
        uuids.add(mig.uuid());
      }
    }
    assertThat(uuids).hasSize(14);
  }

  @Test
  void rejectsMigDevicesAndRunTimeValuesTheFakeCouldNotReport() {
    FakeGpu a100 = FakeGpu.of(FakeGpuModel.A100_SXM4_40GB, "bad", 0);
    FakeGpu inMig = a100.withMigProfiles("1g.5gb");
    assertThatThrownBy(() -> inMig.withProcesses(FakeProcess.of(1, 1, 1, 1)))
        .hasMessageContaining("MIG devices, not on the GPU");
    assertThat(inMig.withMig(FakeGpu.Mig.DISABLED).migDevices()).isEmpty();
    assertThatThrownBy(() -> a100.withMigProfiles(
            "1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb"))
        .hasMessageContaining("at most 7");
    assertThatThrownBy(() -> a100.withMigProfiles("1g5gb")).hasMessageContaining("profile");
    assertThatThrownBy(() -> a100.withMigProfiles("2c.1g.5gb")).hasMessageContaining("slices");
    FakeGpu other =
        FakeGpu.of(FakeGpuModel.A100_SXM4_40GB, "bad", 1).withMigDevices(inMig.migDevices());
    assertThatThrownBy(() -> FakeInventory.builder().gpu(inMig).gpu(other).build())
        .hasMessageContaining("duplicate uuid");
    assertThatThrownBy(() -> a100.withComputeMode(ComputeMode.EXCLUSIVE_THREAD))
        .hasMessageContaining("EXCLUSIVE_THREAD");
    assertThatThrownBy(() -> a100.withUtilization(101, 0)).hasMessageContaining("0..100");
    assertThatThrownBy(
            () -> a100.withProcesses(FakeProcess.of(5, 1, 0, 0), FakeProcess.of(5, 2, 0, 0)))
        .hasMessageContaining("listed twice");
    assertThatThrownBy(() -> FakeProcess.of(0, 1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void writesTheRunTimeMembersAndMigDevices() {
    FakeInventory inventory = FakeInventory.builder()
        .gpu(FakeGpu.of(FakeGpuModel.A100_SXM4_40GB, "json", 0)
            .withComputeMode(ComputeMode.EXCLUSIVE_PROCESS)
            .withUtilization(35, 20)
            .withTemperatureC(41)
            .withPowerMilliwatts(85_500)
            .withProcesses(FakeProcess.of(4242, 1024, 30, 10)))
        .gpu(FakeGpu.of(FakeGpuModel.A100_SXM4_40GB, "json", 1).withMigProfiles("1g.5gb"))
        .build();
    assertThat(inventory.toJson())
        .contains("\"computeMode\": \"EXCLUSIVE_PROCESS\"")
        .contains("\"utilization\": {\"gpu\": 35, \"memory\": 20}")
        .contains("\"temperatureC\": 41, \"powerW\": 85.500")
        .contains(
            "\"processes\": [{\"pid\": 4242, \"usedMiB\": 1024, \"smUtil\": 30, \"memUtil\": 10,")
        .contains("\"migDevices\": [")
        .contains(
            "\"profile\": \"1g.5gb\", \"gpuInstanceId\": 7, \"computeInstanceId\": 0, \"memoryMiB\": 4864")
        .contains("\"powerW\": 55");
  }

  @Test
  void writesJsonWithEscapedStringsAndNullForAbsentValues() {
    FakeInventory inventory = FakeInventory.builder()
        .gpu(FakeGpu.of(FakeGpuModel.A10, "json", 0).withPcieSwitch("sw \"0\"\\"))
        .failure(new FakeInventory.Failure("nvmlDeviceGetName", 0, NvmlReturn.GPU_IS_LOST, 2))
        .build();
    String json = inventory.toJson();
    assertThat(json)
        .contains("\"pcieSwitch\": \"sw \\\"0\\\"\\\\\"")
        .contains("\"board\": null")
        .contains("\"migMode\": null")
        .contains("\"pciDeviceId\": \"0x223610DE\"")
        .contains("\"nvlinkMatrix\": null")
        .contains(
            "{\"function\": \"nvmlDeviceGetName\", \"gpu\": 0, \"code\": \"GPU_IS_LOST\", \"afterCalls\": 2}");
    assertThat(InventoryJson.quote("a\u0001\n")).isEqualTo("\"a\\u0001\\n\"");
  }
}
