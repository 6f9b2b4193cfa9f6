package io.kubeaccel.nvml;

import static io.kubeaccel.nvml.NvmlFailuresTest.code;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.nvml.fake.FakeGpu;
import io.kubeaccel.nvml.fake.FakeGpuModel;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeMigDevice;
import io.kubeaccel.nvml.fake.FakeNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MIG devices: enumeration, what they report, what they refuse, and the MIG presets. */
class NvmlMigTest {
  private static final long MIB = 1L << 20;

  @TempDir
  Path dir;

  @Test
  void enumeratesTheMigDevicesOfEachGpuInSlotOrder() {
    FakeInventory inventory = FakeInventory.a100MigMixed();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      NvmlDevice gpu0 = nvml.device(0);
      assertThat(gpu0.migMode()).isEqualTo(new MigMode(true, true));
      assertThat(gpu0.maxMigDeviceCount()).isEqualTo(7);
      assertThat(gpu0.isMigDevice()).isFalse();

      List<NvmlDevice> migs = gpu0.migDevices();
      assertThat(migs).hasSize(3);
      for (int slot = 0; slot < 3; slot++) {
        FakeMigDevice expected = inventory.gpu(0).migDevices().get(slot);
        NvmlDevice mig = migs.get(slot);
        assertThat(mig.index()).isEqualTo(slot);
        assertThat(mig.isMigDevice()).isTrue();
        assertThat(mig.uuid()).isEqualTo(expected.uuid()).startsWith("MIG-");
        assertThat(mig.name()).isEqualTo("NVIDIA A100-SXM4-40GB MIG " + expected.profile());
        assertThat(mig.gpuInstanceId()).isEqualTo(expected.gpuInstanceId());
        assertThat(mig.computeInstanceId()).isZero();
        assertThat(mig.memoryInfo())
            .isEqualTo(new MemoryInfo(expected.memoryMiB() * MIB, expected.memoryMiB() * MIB, 0));
        assertThat(mig.cudaComputeCapability()).isEqualTo(new ComputeCapability(8, 0));
        assertThat(mig.parent()).isSameAs(gpu0);
        assertThat(mig.toString()).isEqualTo("NvmlDevice[index=0, mig=" + slot + "]");
      }
      assertThat(migs)
          .extracting(d -> d.migProfile().toString())
          .containsExactly("3g.20gb", "1g.5gb", "1g.5gb");
      for (int slot = 3; slot < 7; slot++) {
        assertThat(gpu0.migDevice(slot)).as("slot %d holds no MIG device", slot).isEmpty();
      }
      assertThatThrownBy(() -> gpu0.migDevice(7))
          .isInstanceOfSatisfying(
              NvmlException.class,
              code(
                  NvmlReturn.INVALID_ARGUMENT,
                  "nvmlDeviceGetMigDeviceHandleByIndex",
                  "Invalid Argument"));
      assertThat(nvml.device(1).migDevices())
          .hasSize(7)
          .allSatisfy(mig -> assertThat(mig.migProfile()).hasToString("1g.5gb"));
    }
  }

  @Test
  void migAttributesAreTheInventorysAndNameTheProfile() {
    FakeInventory inventory = FakeInventory.a100MigMixed();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      FakeMigDevice big = inventory.gpu(0).migDevices().get(0);
      assertThat(nvml.device(0).migDevice(0).orElseThrow().attributes())
          .isEqualTo(new MigAttributes(42, 3, 2, 0, 0, 0, 3, 3, big.memoryMiB()));
      MigAttributes small = nvml.device(1).migDevice(6).orElseThrow().attributes();
      assertThat(small).isEqualTo(new MigAttributes(14, 1, 0, 0, 0, 0, 1, 1, 4864));
      assertThat(MigProfile.of(small, 40960 * MIB)).isEqualTo(new MigProfile(1, 1, 5));
    }
  }

  @Test
  void profileNamesRoundMemoryAsNvidiaDoes() {
    long a100 = 40960 * MIB;
    long a100Big = 81920 * MIB;
    long h100 = 81559 * MIB;
    assertThat(MigProfile.memoryGb(4864, a100)).isEqualTo(5);
    assertThat(MigProfile.memoryGb(9856, a100)).isEqualTo(10);
    assertThat(MigProfile.memoryGb(19968, a100)).isEqualTo(20);
    assertThat(MigProfile.memoryGb(40192, a100)).isEqualTo(40);
    assertThat(MigProfile.memoryGb(9856, a100Big)).isEqualTo(10);
    assertThat(MigProfile.memoryGb(40192, a100Big)).isEqualTo(40);
    assertThat(MigProfile.memoryGb(80896, a100Big)).isEqualTo(80);
    assertThat(MigProfile.memoryGb(9984, h100)).isEqualTo(10);
    assertThat(MigProfile.memoryGb(20096, h100)).isEqualTo(20);
    assertThat(new MigProfile(1, 3, 20)).hasToString("1c.3g.20gb");
    assertThat(new MigProfile(7, 7, 80)).hasToString("7g.80gb");
    assertThatThrownBy(() -> new MigProfile(4, 3, 20)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void wholeGpuQueriesOnAMigDeviceAreNotSupported() {
    FakeNode node = FakeNode.create(dir, FakeInventory.a100MigSingle());
    try (Nvml nvml = Nvml.open(node.libraryPath());
        NvmlEventSet set = nvml.createEventSet()) {
      NvmlDevice gpu = nvml.device(0);
      NvmlDevice mig = gpu.migDevice(0).orElseThrow();
      List<ThrowingCallable> calls = List.of(
          mig::minorNumber,
          mig::pciInfo,
          mig::migMode,
          mig::maxMigDeviceCount,
          () -> mig.migDevice(0),
          () -> mig.topologyCommonAncestor(gpu),
          () -> gpu.topologyCommonAncestor(mig),
          () -> mig.nvLinkActive(0),
          mig::supportedEventTypes,
          mig::computeMode,
          () -> mig.setComputeMode(ComputeMode.EXCLUSIVE_PROCESS),
          mig::utilizationRates,
          () -> mig.processUtilization(0),
          mig::temperatureCelsius,
          mig::powerUsageMilliwatts,
          () -> set.register(mig, NvmlEventTypes.XID_CRITICAL_ERROR));
      for (ThrowingCallable call : calls) {
        assertThatThrownBy(call)
            .isInstanceOfSatisfying(
                NvmlException.class,
                e -> assertThat(e.code()).as(e.function()).isEqualTo(NvmlReturn.NOT_SUPPORTED));
      }
      assertThat(gpu.computeMode()).isEqualTo(ComputeMode.DEFAULT);
    }
  }

  @Test
  void migOnlyQueriesOnAWholeGpuAreNotSupported() {
    FakeNode node = FakeNode.create(dir, FakeInventory.a100MigMixed());
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      NvmlDevice gpu = nvml.device(0);
      assertThatThrownBy(gpu::parent)
          .isInstanceOfSatisfying(
              NvmlException.class,
              code(
                  NvmlReturn.NOT_SUPPORTED,
                  "nvmlDeviceGetDeviceHandleFromMigDeviceHandle",
                  "Not Supported"));
      for (ThrowingCallable call : List.<ThrowingCallable>of(
          gpu::gpuInstanceId, gpu::computeInstanceId, gpu::attributes, gpu::migProfile)) {
        assertThatThrownBy(call)
            .isInstanceOfSatisfying(
                NvmlException.class, e -> assertThat(e.code()).isEqualTo(NvmlReturn.NOT_SUPPORTED));
      }
    }
  }

  @Test
  void gpusOutOfMigModeHaveNoMigSlots() {
    FakeInventory inventory = FakeInventory.builder()
        .gpu(FakeGpu.of(FakeGpuModel.A100_SXM4_40GB, "no-mig", 0))
        .gpu(FakeGpu.of(FakeGpuModel.TESLA_V100_SXM2_16GB, "no-mig", 1))
        .build();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      for (int i = 0; i < 2; i++) {
        NvmlDevice gpu = nvml.device(i);
        assertThat(gpu.maxMigDeviceCount()).isZero();
        assertThat(gpu.migDevices()).isEmpty();
        assertThatThrownBy(() -> gpu.migDevice(0))
            .isInstanceOfSatisfying(
                NvmlException.class,
                e -> assertThat(e.code()).isEqualTo(NvmlReturn.INVALID_ARGUMENT));
      }
    }
  }

  @Test
  void theSingleStrategyPresetHasSevenSmallDevicesPerGpuWithA100InstanceIds() {
    FakeInventory inventory = FakeInventory.a100MigSingle();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      for (int i = 0; i < 2; i++) {
        List<NvmlDevice> migs = nvml.device(i).migDevices();
        assertThat(migs)
            .extracting(NvmlDevice::gpuInstanceId)
            .containsExactly(7, 8, 9, 10, 11, 12, 13);
        assertThat(migs)
            .extracting(NvmlDevice::name)
            .containsOnly("NVIDIA A100-SXM4-40GB MIG 1g.5gb");
        assertThat(migs).extracting(NvmlDevice::uuid).doesNotHaveDuplicates();
      }
    }
  }

  @Test
  void findsGpusAndMigDevicesByEitherUuidForm() {
    FakeInventory inventory = FakeInventory.a100MigMixed();
    FakeNode node = FakeNode.create(dir, inventory);
    FakeGpu gpu1 = inventory.gpu(1);
    FakeMigDevice mig = gpu1.migDevices().get(4);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      NvmlDevice byUuid = nvml.deviceByUuid(mig.uuid());
      assertThat(byUuid.isMigDevice()).isTrue();
      assertThat(byUuid.index()).isEqualTo(4);
      assertThat(byUuid.parent().index()).isEqualTo(1);
      assertThat(byUuid).isEqualTo(nvml.device(1).migDevice(4).orElseThrow());

      String legacy = "MIG-" + gpu1.uuid() + "/" + mig.gpuInstanceId() + "/0";
      assertThat(nvml.deviceByUuid(legacy).uuid()).isEqualTo(mig.uuid());
      assertThat(nvml.deviceByUuid(gpu1.uuid().toLowerCase()).index()).isEqualTo(1);
      assertThatThrownBy(() -> nvml.deviceByUuid("MIG-00000000-0000-0000-0000-00000000dead"))
          .isInstanceOfSatisfying(
              NvmlException.class,
              code(NvmlReturn.NOT_FOUND, "nvmlDeviceGetHandleByUUID", "Not Found"));
    }
  }

  @Test
  void anXidOnAMigDeviceReachesItsGpusSetWithTheInstanceIds() {
    FakeInventory inventory = FakeInventory.a100MigMixed();
    FakeNode node = FakeNode.create(dir, inventory);
    FakeMigDevice mig = inventory.gpu(0).migDevices().get(1);
    try (Nvml nvml = Nvml.open(node.libraryPath());
        NvmlEventSet set = nvml.createEventSet()) {
      NvmlDevice gpu0 = nvml.device(0);
      set.register(gpu0, NvmlEventTypes.XID_CRITICAL_ERROR);

      node.injectXid(mig.uuid(), 43);

      NvmlEvent event = set.await(Duration.ofSeconds(10)).orElseThrow();
      assertThat(event.device()).isSameAs(gpu0);
      assertThat(event.eventData()).isEqualTo(43);
      assertThat(event.gpuInstanceId()).isEqualTo(mig.gpuInstanceId());
      assertThat(event.computeInstanceId()).isEqualTo(mig.computeInstanceId());
    }
  }

  @Test
  void migDevicesOfALostGpuAreLostToo() {
    FakeInventory inventory = FakeInventory.a100MigMixed();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      NvmlDevice mig = nvml.device(1).migDevice(0).orElseThrow();
      node.loseGpu(inventory.gpu(1).uuid());
      assertThatThrownBy(mig::uuid)
          .isInstanceOfSatisfying(
              NvmlException.class,
              code(NvmlReturn.GPU_IS_LOST, "nvmlDeviceGetUUID", "GPU is lost"));
      assertThatThrownBy(
              () -> nvml.deviceByUuid(inventory.gpu(1).migDevices().get(0).uuid()))
          .isInstanceOfSatisfying(
              NvmlException.class, e -> assertThat(e.code()).isEqualTo(NvmlReturn.GPU_IS_LOST));
      assertThat(nvml.device(0).migDevice(0).map(NvmlDevice::uuid))
          .isEqualTo(Optional.of(inventory.gpu(0).migDevices().get(0).uuid()));
    }
  }
}
