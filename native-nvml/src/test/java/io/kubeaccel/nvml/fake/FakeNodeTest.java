package io.kubeaccel.nvml.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.nvml.ComputeCapability;
import io.kubeaccel.nvml.ComputeMode;
import io.kubeaccel.nvml.Nvml;
import io.kubeaccel.nvml.NvmlLibraryPath;
import io.kubeaccel.nvml.NvmlReturn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a simulated node's directory holds, and how the control methods talk to the library. */
class FakeNodeTest {
  @TempDir
  Path dir;

  @Test
  void createsLibraryInventoryControlAndSysfs() throws IOException {
    FakeInventory inventory = FakeInventory.fourGpusTwoNumaNvlinkPairs();
    FakeNode node = FakeNode.create(dir, inventory);

    assertThat(node.directory()).isEqualTo(dir);
    assertThat(node.libraryPath()).isEqualTo(NvmlLibraryPath.only(dir));
    assertThat(dir.resolve("libnvidia-ml.so.1")).isRegularFile();
    assertThat(node.inventoryFile()).hasContent(inventory.toJson());
    assertThat(node.controlFile()).isEmptyFile();
    assertThat(node.sysfsRoot()).isEqualTo(dir.resolve("sys"));
    assertThat(node.sysfsRoot().resolve("bus/pci/devices/0000:47:00.0/numa_node"))
        .hasContent("1");
    assertThat(node.sysfsRoot().resolve("bus/pci/devices/0000:0f:00.0/numa_node"))
        .hasContent("0");
    try (var devices = Files.list(node.sysfsRoot().resolve("bus/pci/devices"))) {
      assertThat(devices.count()).isEqualTo(4);
    }
  }

  @Test
  void noNumaNodeIsWrittenAsMinusOne() {
    FakeInventory inventory = FakeInventory.builder()
        .gpu(FakeGpu.of(FakeGpuModel.TESLA_T4, "numa", 0)
            .withPciBusId("0000:AF:00.0")
            .withNumaNode(-1))
        .build();
    FakeNode node = FakeNode.create(dir, inventory);
    assertThat(node.sysfsRoot().resolve("bus/pci/devices/0000:af:00.0/numa_node"))
        .hasContent("-1");
  }

  @Test
  void controlMethodsAppendOneCommandLineEach() throws IOException {
    FakeNode node = FakeNode.create(dir, FakeInventory.pcieOnlyTwoSocket(1));
    String uuid = node.inventory().gpu(0).uuid();

    node.injectXid(uuid, 48);
    node.failCalls("nvmlDeviceGetName", uuid, NvmlReturn.GPU_IS_LOST);
    node.failCalls("nvmlDeviceGetCount_v2", null, NvmlReturn.UNKNOWN);
    node.clearFailures("nvmlDeviceGetName");
    node.clearFailures();
    node.loseGpu(uuid);
    node.recoverGpu(uuid);

    assertThat(Files.readAllLines(node.controlFile()))
        .containsExactly(
            "xid " + uuid + " 48",
            "fail nvmlDeviceGetName " + uuid + " GPU_IS_LOST",
            "fail nvmlDeviceGetCount_v2 * UNKNOWN",
            "clear nvmlDeviceGetName",
            "clear *",
            "lost " + uuid,
            "recover " + uuid);
  }

  @Test
  void runTimeControlMethodsAppendOneCommandLineEach() throws IOException {
    FakeNode node = FakeNode.create(dir, FakeInventory.pcieOnlyTwoSocket(1));
    String uuid = node.inventory().gpu(0).uuid();

    node.setUtilization(uuid, 35, 20);
    node.setTemperature(uuid, 41);
    node.setPowerMilliwatts(uuid, 85_000);
    node.setPowerMilliwatts(uuid, 85_250);
    node.startProcess(uuid, FakeProcess.of(4242, 1024, 30, 10));
    node.stopProcess(uuid, 4242);
    node.setComputeMode(uuid, ComputeMode.EXCLUSIVE_PROCESS);

    assertThat(Files.readAllLines(node.controlFile()))
        .containsExactly(
            "util " + uuid + " 35 20",
            "temp " + uuid + " 41",
            "power " + uuid + " 85",
            "power " + uuid + " 85.250",
            "proc " + uuid + " 4242 1024 30 10",
            "noproc " + uuid + " 4242",
            "computemode " + uuid + " EXCLUSIVE_PROCESS");
  }

  @Test
  void replacingTheInventoryRewritesSysfs() {
    FakeNode node = FakeNode.create(dir, FakeInventory.fourGpusTwoNumaNvlinkPairs());
    node.replaceInventory(FakeInventory.pcieOnlyTwoSocket(1));

    assertThat(node.inventory()).isEqualTo(FakeInventory.pcieOnlyTwoSocket(1));
    assertThat(node.sysfsRoot().resolve("bus/pci/devices/0000:07:00.0")).doesNotExist();
    assertThat(node.sysfsRoot().resolve("bus/pci/devices/0000:10:00.0/numa_node"))
        .hasContent("0");
  }

  @Test
  void stringsSurviveTheRoundTripThroughJsonAndC() {
    FakeInventory inventory = FakeInventory.builder()
        .driverVersion("550.54.15-kubeaccel")
        .gpu(new FakeGpu(
            FakeGpu.deterministicUuid("names", 0),
            "NVIDIA \"Quoted\" \\ Ωmega",
            7,
            "00000000:3B:00.0",
            0x20B510DE,
            0x153310DE,
            81920,
            5,
            0,
            null,
            null,
            new ComputeCapability(8, 0),
            FakeGpu.Mig.ENABLED,
            0))
        .build();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      assertThat(nvml.driverVersion()).isEqualTo("550.54.15-kubeaccel");
      assertThat(nvml.device(0).name()).isEqualTo("NVIDIA \"Quoted\" \\ Ωmega");
      assertThat(nvml.device(0).minorNumber()).isEqualTo(7);
    }
  }

  @Test
  void lostGpusStayLostAcrossARestartOfTheAgent() {
    FakeNode node = FakeNode.create(dir, FakeInventory.fourGpusTwoNumaNvlinkPairs());
    String uuid = node.inventory().gpu(2).uuid();
    node.loseGpu(uuid);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      assertThatThrownBy(() -> nvml.device(2)).hasMessageContaining("GPU is lost");
    }
    node.recoverGpu(uuid);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      assertThat(nvml.device(2).uuid()).isEqualTo(uuid);
    }
  }
}
