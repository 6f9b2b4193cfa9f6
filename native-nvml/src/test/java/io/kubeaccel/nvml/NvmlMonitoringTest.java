package io.kubeaccel.nvml;

import static io.kubeaccel.nvml.NvmlFailuresTest.code;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.nvml.fake.FakeGpu;
import io.kubeaccel.nvml.fake.FakeGpuModel;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeInventory.Failure;
import io.kubeaccel.nvml.fake.FakeMigDevice;
import io.kubeaccel.nvml.fake.FakeNode;
import io.kubeaccel.nvml.fake.FakeProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What metrics read: utilisation, temperature, power, compute processes and their utilisation. */
class NvmlMonitoringTest {
  private static final long MIB = 1L << 20;

  @TempDir
  Path dir;

  private static FakeInventory busyNode() {
    return FakeInventory.builder()
        .gpu(FakeGpu.of(FakeGpuModel.H100_80GB_HBM3, "busy", 0)
            .withUtilization(35, 20)
            .withTemperatureC(41)
            .withPowerMilliwatts(85_000)
            .withProcesses(
                FakeProcess.of(4242, 1024, 30, 10),
                FakeProcess.of(4343, 2048, 0, 0),
                new FakeProcess(4444, 512, 5, 1, 2, 3)))
        .gpu(FakeGpu.of(FakeGpuModel.H100_80GB_HBM3, "busy", 1))
        .build();
  }

  @Test
  void readsUtilizationTemperatureAndPowerFromTheInventory() {
    FakeNode node = FakeNode.create(dir, busyNode());
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      NvmlDevice busy = nvml.device(0);
      assertThat(busy.utilizationRates()).isEqualTo(new Utilization(35, 20));
      assertThat(busy.temperatureCelsius()).isEqualTo(41);
      assertThat(busy.powerUsageMilliwatts()).isEqualTo(85_000);
      NvmlDevice idle = nvml.device(1);
      assertThat(idle.utilizationRates()).isEqualTo(new Utilization(0, 0));
      assertThat(idle.temperatureCelsius()).isEqualTo(32);
      assertThat(idle.powerUsageMilliwatts()).isEqualTo(55_000);
    }
  }

  @Test
  void controlLinesChangeThemAtRunTime() {
    FakeInventory inventory = busyNode();
    FakeNode node = FakeNode.create(dir, inventory);
    String uuid = inventory.gpu(1).uuid();
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      NvmlDevice gpu = nvml.device(1);
      node.setUtilization(uuid, 99, 73);
      node.setTemperature(uuid, 87);
      node.setPowerMilliwatts(uuid, 412_500);
      assertThat(gpu.utilizationRates()).isEqualTo(new Utilization(99, 73));
      assertThat(gpu.temperatureCelsius()).isEqualTo(87);
      assertThat(gpu.powerUsageMilliwatts()).isEqualTo(412_500);
      assertThat(nvml.device(0).utilizationRates()).isEqualTo(new Utilization(35, 20));
    }
  }

  @Test
  void listsTheComputeProcessesOfAWholeGpuWithoutInstanceIds() {
    FakeNode node = FakeNode.create(dir, busyNode());
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      assertThat(nvml.device(0).computeRunningProcesses())
          .containsExactly(
              new ProcessInfo(4242, 1024 * MIB, -1, -1),
              new ProcessInfo(4343, 2048 * MIB, -1, -1),
              new ProcessInfo(4444, 512 * MIB, -1, -1))
          .noneMatch(ProcessInfo::onMigDevice);
      assertThat(nvml.device(1).computeRunningProcesses()).isEmpty();
    }
  }

  @Test
  void processesStartAndStopThroughTheControlFile() {
    FakeInventory inventory = busyNode();
    FakeNode node = FakeNode.create(dir, inventory);
    String uuid = inventory.gpu(1).uuid();
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      NvmlDevice gpu = nvml.device(1);
      for (int pid = 100; pid < 120; pid++) { // more than one NVML size query's headroom
        node.startProcess(uuid, FakeProcess.of(pid, pid, 1, 0));
      }
      node.startProcess(uuid, FakeProcess.of(105, 4096, 50, 25)); // the same pid again: replaced
      node.stopProcess(uuid, 100);
      List<ProcessInfo> processes = gpu.computeRunningProcesses();
      assertThat(processes).hasSize(19).extracting(ProcessInfo::pid).doesNotContain(100);
      assertThat(processes).contains(new ProcessInfo(105, 4096 * MIB, -1, -1));
      assertThat(gpu.processUtilization(0))
          .filteredOn(s -> s.pid() == 105)
          .singleElement()
          .satisfies(s -> assertThat(s.smUtil()).isEqualTo(50))
          .satisfies(s -> assertThat(s.memUtil()).isEqualTo(25));
    }
  }

  @Test
  void samplesOnlyProcessesThatUsedTheGpuNewerThanTheLastSeenTime() {
    FakeNode node = FakeNode.create(dir, busyNode());
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      long before = TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis());
      List<ProcessUtilizationSample> samples = nvml.device(0).processUtilization(0);
      long after = TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis() + 1);

      assertThat(samples).extracting(ProcessUtilizationSample::pid).containsExactly(4242, 4444);
      assertThat(samples.get(1)).satisfies(s -> {
        assertThat(List.of(s.smUtil(), s.memUtil(), s.encUtil(), s.decUtil()))
            .containsExactly(5, 1, 2, 3);
        assertThat(s.timeStamp()).isBetween(before, after);
      });
      long future = after + TimeUnit.HOURS.toMicros(1);
      assertThat(nvml.device(0).processUtilization(future)).isEmpty();
      assertThat(nvml.device(1).processUtilization(0)).isEmpty();
    }
  }

  @Test
  void aGpuInMigModeListsItsMigDevicesProcessesWithTheirInstanceIds() {
    FakeInventory inventory = FakeInventory.a100MigMixed();
    FakeNode node = FakeNode.create(dir, inventory);
    FakeMigDevice big = inventory.gpu(0).migDevices().get(0);
    FakeMigDevice small = inventory.gpu(0).migDevices().get(2);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      node.startProcess(big.uuid(), FakeProcess.of(7001, 10_000, 80, 40));
      node.startProcess(small.uuid(), FakeProcess.of(7002, 3000, 20, 10));
      node.startProcess(
          inventory.gpu(0).uuid(), FakeProcess.of(7003, 1, 1, 1)); // refused: MIG mode

      NvmlDevice gpu0 = nvml.device(0);
      assertThat(gpu0.computeRunningProcesses())
          .containsExactly(
              new ProcessInfo(7001, 10_000 * MIB, big.gpuInstanceId(), 0),
              new ProcessInfo(7002, 3000 * MIB, small.gpuInstanceId(), 0))
          .allMatch(ProcessInfo::onMigDevice);
      assertThat(gpu0.migDevice(2).orElseThrow().computeRunningProcesses())
          .containsExactly(new ProcessInfo(7002, 3000 * MIB, small.gpuInstanceId(), 0));
      assertThat(gpu0.migDevice(1).orElseThrow().computeRunningProcesses()).isEmpty();
      assertThatThrownBy(gpu0::utilizationRates)
          .isInstanceOfSatisfying(
              NvmlException.class,
              code(NvmlReturn.NOT_SUPPORTED, "nvmlDeviceGetUtilizationRates", "Not Supported"));
      assertThatThrownBy(() -> gpu0.processUtilization(0))
          .isInstanceOfSatisfying(
              NvmlException.class, e -> assertThat(e.code()).isEqualTo(NvmlReturn.NOT_SUPPORTED));
      assertThat(gpu0.temperatureCelsius()).isEqualTo(32);
      assertThat(gpu0.powerUsageMilliwatts()).isEqualTo(55_000);
    }
  }

  @Test
  void badControlLinesAreSkippedAndChangeNothing() throws IOException {
    FakeInventory inventory = busyNode();
    FakeNode node = FakeNode.create(dir, inventory);
    String uuid = inventory.gpu(0).uuid();
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      NvmlDevice gpu = nvml.device(0);
      Files.writeString(
          node.controlFile(),
          String.join(
              "\n",
              "util " + uuid + " 101 0",
              "util " + uuid + " 50",
              "temp " + uuid + " hot",
              "power " + uuid + " -1",
              "proc " + uuid + " 0 10",
              "proc " + uuid + " 77 lots",
              "proc GPU-nope 77 1",
              "noproc " + uuid + " -4",
              "computemode " + uuid + " EXCLUSIVE_THREAD",
              "computemode " + uuid + " SHARED",
              "util " + uuid + " 60 30",
              ""),
          StandardOpenOption.APPEND);
      assertThat(gpu.utilizationRates())
          .as("only the last, good line")
          .isEqualTo(new Utilization(60, 30));
      assertThat(gpu.temperatureCelsius()).isEqualTo(41);
      assertThat(gpu.powerUsageMilliwatts()).isEqualTo(85_000);
      assertThat(gpu.computeRunningProcesses())
          .extracting(ProcessInfo::pid)
          .containsExactly(4242, 4343, 4444);
      assertThat(gpu.computeMode()).isEqualTo(ComputeMode.DEFAULT);
    }
  }

  @Test
  void failureRulesApplyToTheNewCalls() {
    // Any error but FUNCTION_NOT_FOUND is passed on: no fallback to _v2 or the unversioned call.
    FakeInventory inventory = busyNode().toBuilder()
        .failure(
            new Failure("nvmlDeviceGetComputeRunningProcesses_v3", 0, NvmlReturn.NO_PERMISSION, 0))
        .build();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      assertThatThrownBy(() -> nvml.device(0).computeRunningProcesses())
          .isInstanceOfSatisfying(
              NvmlException.class,
              code(
                  NvmlReturn.NO_PERMISSION,
                  "nvmlDeviceGetComputeRunningProcesses_v3",
                  "Insufficient Permissions"));
      assertThat(nvml.device(1).computeRunningProcesses()).isEmpty();

      node.failCalls("nvmlDeviceGetPowerUsage", inventory.gpu(1).uuid(), NvmlReturn.NOT_SUPPORTED);
      node.failCalls("nvmlDeviceGetTemperature", null, NvmlReturn.GPU_IS_LOST);
      assertThatThrownBy(() -> nvml.device(1).powerUsageMilliwatts())
          .isInstanceOfSatisfying(
              NvmlException.class,
              code(NvmlReturn.NOT_SUPPORTED, "nvmlDeviceGetPowerUsage", "Not Supported"));
      assertThat(nvml.device(0).powerUsageMilliwatts()).isEqualTo(85_000);
      assertThatThrownBy(() -> nvml.device(0).temperatureCelsius())
          .isInstanceOfSatisfying(
              NvmlException.class,
              code(NvmlReturn.GPU_IS_LOST, "nvmlDeviceGetTemperature", "GPU is lost"));
      node.clearFailures();
      assertThat(nvml.device(0).temperatureCelsius()).isEqualTo(41);
    }
  }
}
