package io.kubeaccel.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.nvml.fake.FakeGpu;
import io.kubeaccel.nvml.fake.FakeGpuModel;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every per-GPU and system query returns what the inventory says, through the production loading path. */
class NvmlDeviceQueriesTest {
  private static final long MIB = 1024L * 1024;

  @TempDir
  Path dir;

  @Test
  void reportsDriverAndCudaVersionsFromTheInventory() {
    FakeNode node = FakeNode.create(dir, FakeInventory.dgx1CubeMesh());
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      assertThat(nvml.driverVersion()).isEqualTo("535.161.08");
      assertThat(nvml.cudaDriverVersion()).isEqualTo(new CudaVersion(12, 2));
    }
  }

  @Test
  void enumeratesEveryGpuWithItsUuidNameAndMinorNumber() {
    FakeInventory inventory = FakeInventory.dgx1CubeMesh();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      assertThat(nvml.deviceCount()).isEqualTo(8);
      for (int i = 0; i < 8; i++) {
        NvmlDevice device = nvml.device(i);
        assertThat(device.index()).isEqualTo(i);
        assertThat(device.uuid()).isEqualTo(inventory.gpu(i).uuid()).hasSize(40).startsWith("GPU-");
        assertThat(device.name()).isEqualTo("Tesla V100-SXM2-16GB");
        assertThat(device.minorNumber()).isEqualTo(i);
      }
    }
  }

  @Test
  void readsPciInfoVersion3FieldsAndBothBusIdForms() {
    FakeInventory inventory = FakeInventory.builder()
        .gpu(FakeGpu.of(FakeGpuModel.H100_80GB_HBM3, "pci", 0).withPciBusId("0000:9a:1f.0"))
        .gpu(FakeGpu.of(FakeGpuModel.A100_SXM4_40GB, "pci", 1).withPciBusId("00012345:07:00.0"))
        .build();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      assertThat(nvml.device(0).pciInfo())
          .isEqualTo(new PciInfo(
              "00000000:9A:1F.0", "0000:9A:1F.0", 0, 0x9A, 0x1F, 0x233010DE, 0x16C110DE));
      PciInfo second = nvml.device(1).pciInfo();
      assertThat(second.busId()).isEqualTo("00012345:07:00.0");
      assertThat(second.domain()).isEqualTo(0x12345);
      assertThat(second.pciDeviceId()).isEqualTo(0x20B010DE);
      assertThat(second.pciSubSystemId()).isEqualTo(0x134F10DE);
      assertThat(nvml.device(0).pciInfo().sysfsAddress())
          .isEqualTo(inventory.gpu(0).sysfsAddress());
    }
  }

  @Test
  void readsMemoryInBytesWithFreeAsTotalMinusUsed() {
    FakeInventory inventory = FakeInventory.builder()
        .gpu(FakeGpu.of(FakeGpuModel.H100_80GB_HBM3, "mem", 0).withMemory(81559, 1024))
        .gpu(FakeGpu.of(FakeGpuModel.A100_SXM4_40GB, "mem", 1)
            .withMemory(4L * 1024 * 1024 * 1024, 0))
        .build();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      assertThat(nvml.device(0).memoryInfo())
          .isEqualTo(new MemoryInfo(81559 * MIB, (81559 - 1024) * MIB, 1024 * MIB));
      // 4 PiB: beyond 32 bits of anything, still exact through the unsigned long long fields.
      assertThat(nvml.device(1).memoryInfo().total()).isEqualTo(1L << 52);
    }
  }

  @Test
  void readsComputeCapabilityPerModel() {
    FakeInventory inventory = FakeInventory.builder()
        .gpu(FakeGpu.of(FakeGpuModel.TESLA_T4, "cc", 0))
        .gpu(FakeGpu.of(FakeGpuModel.H100_80GB_HBM3, "cc", 1))
        .build();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      assertThat(nvml.device(0).cudaComputeCapability()).isEqualTo(new ComputeCapability(7, 5));
      assertThat(nvml.device(1).cudaComputeCapability()).isEqualTo(new ComputeCapability(9, 0));
    }
  }

  @Test
  void reportsMigEnabledDisabledOrNotSupported() {
    FakeInventory inventory = FakeInventory.builder()
        .gpu(FakeGpu.of(FakeGpuModel.A100_SXM4_40GB, "mig", 0).withMig(FakeGpu.Mig.ENABLED))
        .gpu(FakeGpu.of(FakeGpuModel.A100_SXM4_40GB, "mig", 1).withMig(FakeGpu.Mig.DISABLED))
        .gpu(FakeGpu.of(FakeGpuModel.TESLA_V100_SXM2_16GB, "mig", 2))
        .build();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      assertThat(nvml.device(0).migMode()).isEqualTo(new MigMode(true, true));
      assertThat(nvml.device(1).migMode()).isEqualTo(new MigMode(false, false));
      assertThatThrownBy(() -> nvml.device(2).migMode())
          .isInstanceOfSatisfying(NvmlException.class, e -> {
            assertThat(e.code()).isEqualTo(NvmlReturn.NOT_SUPPORTED);
            assertThat(e.function()).isEqualTo("nvmlDeviceGetMigMode");
            assertThat(e.getMessage()).contains("Not Supported");
          });
    }
  }

  @Test
  void supportsTheEccXidPstateAndClockEvents() {
    FakeNode node = FakeNode.create(dir, FakeInventory.fourGpusTwoNumaNvlinkPairs());
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      assertThat(nvml.device(3).supportedEventTypes())
          .isEqualTo(NvmlEventTypes.SINGLE_BIT_ECC_ERROR
              | NvmlEventTypes.DOUBLE_BIT_ECC_ERROR
              | NvmlEventTypes.XID_CRITICAL_ERROR
              | NvmlEventTypes.PSTATE
              | NvmlEventTypes.CLOCK)
          .isEqualTo(0x1fL);
    }
  }

  @Test
  void nodeWithoutGpusReportsZeroDevicesAndRejectsIndexZero() {
    FakeNode node = FakeNode.create(dir, FakeInventory.builder().build());
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      assertThat(nvml.deviceCount()).isZero();
      assertThatThrownBy(() -> nvml.device(0))
          .isInstanceOfSatisfying(
              NvmlException.class,
              e -> assertThat(e.code()).isEqualTo(NvmlReturn.INVALID_ARGUMENT));
    }
  }
}
