package io.kubeaccel.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.nvml.fake.FakeGpu;
import io.kubeaccel.nvml.fake.FakeGpuModel;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeMigDevice;
import io.kubeaccel.nvml.fake.FakeNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inventory members for MIG devices and run-time values, written by hand: the library's defaults, and the
 * mistakes it refuses (naming file, line and member).
 */
class NvmlInventoryMembersTest {
  @TempDir
  Path dir;

  @Test
  void migDevicesGivenOnlyAProfileGetTheValuesTheJavaFakeDerives() throws IOException {
    String[] profiles = {"3g.20gb", "1g.5gb", "1c.2g.10gb", "1g.5gb+me"};
    FakeNode node = FakeNode.create(dir, FakeInventory.builder().build());
    Files.writeString(node.inventoryFile(), """
        {"gpus": [
          {"name": "NVIDIA A100-SXM4-40GB", "memoryMiB": 40960, "migMode": true, "migDevices": [
            {"profile": "3g.20gb"}, {"profile": "1g.5gb"}, {"profile": "1c.2g.10gb"}, {"profile": "1g.5gb+me"}]},
          {"name": "NVIDIA H100 80GB HBM3", "memoryMiB": 81559, "computeCapability": "9.0", "migMode": true,
           "migDevices": [{"profile": "7g.80gb"}, {"profile": "1g.10gb"}]}
        ]}
        """);
    List<FakeMigDevice> a100 = FakeGpu.of(FakeGpuModel.A100_SXM4_40GB, "any", 0)
        .withMigProfiles(profiles)
        .migDevices();
    List<FakeMigDevice> h100 = FakeGpu.of(FakeGpuModel.H100_80GB_HBM3, "any", 1)
        .withMigProfiles("7g.80gb", "1g.10gb")
        .migDevices();
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      assertMatches(nvml.device(0).migDevices(), a100);
      assertMatches(nvml.device(1).migDevices(), h100);
      assertThat(nvml.device(0).migDevices())
          .extracting(d -> d.migProfile().toString())
          .containsExactly("3g.20gb", "1g.5gb", "1c.2g.10gb", "1g.5gb");
      assertThat(nvml.device(1).migDevices())
          .extracting(d -> d.migProfile().toString())
          .containsExactly("7g.80gb", "1g.10gb");
      assertThat(nvml.device(0).migDevice(0).orElseThrow().uuid())
          .isEqualTo("MIG-00000000-0000-0000-0000-000000000000");
    }
  }

  private static void assertMatches(List<NvmlDevice> actual, List<FakeMigDevice> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.size(); i++) {
      FakeMigDevice e = expected.get(i);
      assertThat(actual.get(i).attributes())
          .as(e.profile())
          .isEqualTo(new MigAttributes(
              e.multiprocessorCount(),
              e.sharedCopyEngineCount(),
              e.sharedDecoderCount(),
              e.sharedEncoderCount(),
              e.sharedJpegCount(),
              e.sharedOfaCount(),
              e.gpuInstanceSliceCount(),
              e.computeInstanceSliceCount(),
              e.memoryMiB()));
      assertThat(actual.get(i).gpuInstanceId()).as(e.profile()).isEqualTo(e.gpuInstanceId());
    }
  }

  @Test
  void runTimeMembersDefaultToAnIdleGpu() throws IOException {
    FakeNode node = FakeNode.create(dir, FakeInventory.builder().build());
    Files.writeString(node.inventoryFile(), "{\"gpus\": [{}]}");
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      NvmlDevice gpu = nvml.device(0);
      assertThat(gpu.computeMode()).isEqualTo(ComputeMode.DEFAULT);
      assertThat(gpu.utilizationRates()).isEqualTo(new Utilization(0, 0));
      assertThat(gpu.temperatureCelsius()).isEqualTo(FakeGpu.IDLE_TEMPERATURE_C);
      assertThat(gpu.powerUsageMilliwatts()).isEqualTo(FakeGpu.IDLE_POWER_MILLIWATTS);
      assertThat(gpu.computeRunningProcesses()).isEmpty();
    }
  }

  @Test
  void mistakesInTheNewMembersAreReportedWithTheirLine() throws IOException {
    FakeNode node = FakeNode.create(dir, FakeInventory.builder().build());
    String[][] cases = {
      {
        "{\"gpus\": [{\"migDevices\": [{\"profile\": \"1g.5gb\"}]}]}",
        "only a GPU with \"migMode\": true"
      },
      {"{\"gpus\": [{\"migMode\": true, \"migDevices\": [{}]}]}", "\"profile\" is required"},
      {
        "{\"gpus\": [{\"migMode\": true, \"migDevices\": [{\"profile\": \"1g5gb\"}]}]}",
        "migDevices[0].profile"
      },
      {
        "{\"gpus\": [{\"migMode\": true, \"migDevices\": [{\"profile\": \"2c.1g.5gb\"}]}]}",
        "at most 8 slices"
      },
      {
        "{\"gpus\": [{\"migMode\": true, \"migDevices\": [{\"profile\": \"1g.5gb\", \"gpuInstanceId\": 3},\n"
            + "{\"profile\": \"2g.10gb\", \"gpuInstanceId\": 3}]}]}",
        "gpuInstanceId 3 and computeInstanceId 0 are already migDevices[0]'s"
      },
      {
        "{\"gpus\": [{\"migMode\": true, \"migDevices\": [{\"profile\": \"1g.5gb\", \"uuid\": \"GPU-1\"}]}]}",
        "starts with \"MIG-\""
      },
      {
        "{\"gpus\": [{\"uuid\": \"MIG-1\"}, {\"migMode\": true, \"migDevices\": [{\"profile\": \"1g.5gb\", "
            + "\"uuid\": \"MIG-1\"}]}]}",
        "is already a GPU's uuid"
      },
      {
        "{\"gpus\": [{\"migMode\": true, \"migDevices\": [{\"profile\": \"1g.5gb\"}, {\"profile\": \"1g.5gb\"}, "
            + "{\"profile\": \"1g.5gb\"}, {\"profile\": \"1g.5gb\"}, {\"profile\": \"1g.5gb\"}, "
            + "{\"profile\": \"1g.5gb\"}, {\"profile\": \"1g.5gb\"}, {\"profile\": \"1g.5gb\"}]}]}",
        "at most 7 objects"
      },
      {
        "{\"gpus\": [{\"migMode\": true, \"processes\": [{\"pid\": 1}]}]}",
        "list them under migDevices[k].processes"
      },
      {"{\"gpus\": [{\"processes\": [{\"usedMiB\": 1}]}]}", "\"pid\" is required"},
      {"{\"gpus\": [{\"processes\": [{\"pid\": 7}, {\"pid\": 7}]}]}", "listed twice"},
      {"{\"gpus\": [{\"processes\": [{\"pid\": 7, \"smUtil\": 101}]}]}", "processes[0].smUtil"},
      {"{\"gpus\": [{\"computeMode\": \"EXCLUSIVE_THREAD\"}]}", "gpus[0].computeMode"},
      {"{\"gpus\": [{\"utilization\": {\"gpu\": 35, \"mem\": 20}}]}", "unknown member \"mem\""},
      {"{\"gpus\": [{\"temperatureC\": -3}]}", "gpus[0].temperatureC"},
      {"{\"gpus\": [{\"powerW\": \"85\"}]}", "gpus[0].powerW"},
    };
    for (String[] c : cases) {
      Files.writeString(node.inventoryFile(), c[0]);
      assertThatThrownBy(() -> Nvml.open(node.libraryPath()))
          .as(c[0])
          .isInstanceOfSatisfying(NvmlException.class, e -> {
            assertThat(e.code()).isEqualTo(NvmlReturn.UNKNOWN);
            assertThat(e.getMessage()).contains(c[1]);
          });
    }
  }
}
