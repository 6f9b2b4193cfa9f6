package io.kubeaccel.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.ptr.IntByReference;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeInventory.Failure;
import io.kubeaccel.nvml.fake.FakeNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every NVML failure becomes a typed NvmlException carrying NVML's own message. */
class NvmlFailuresTest {
  @TempDir
  Path dir;

  @Test
  void aLostGpuFailsEveryCallAboutItAfterEarlierCallsSucceeded() {
    FakeInventory inventory = FakeInventory.fourGpusTwoNumaNvlinkPairs();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      NvmlDevice gpu1 = nvml.device(1);
      assertThat(gpu1.memoryInfo().total()).isPositive();

      node.loseGpu(inventory.gpu(1).uuid());

      assertThatThrownBy(gpu1::memoryInfo)
          .isInstanceOfSatisfying(
              NvmlException.class,
              code(NvmlReturn.GPU_IS_LOST, "nvmlDeviceGetMemoryInfo", "GPU is lost"));
      assertThatThrownBy(gpu1::uuid)
          .isInstanceOfSatisfying(
              NvmlException.class,
              code(NvmlReturn.GPU_IS_LOST, "nvmlDeviceGetUUID", "GPU is lost"));
      assertThatThrownBy(() -> nvml.device(1))
          .isInstanceOfSatisfying(
              NvmlException.class,
              code(NvmlReturn.GPU_IS_LOST, "nvmlDeviceGetHandleByIndex_v2", "GPU is lost"));
      assertThatThrownBy(() -> nvml.device(0).topologyCommonAncestor(gpu1))
          .isInstanceOfSatisfying(
              NvmlException.class, e -> assertThat(e.code()).isEqualTo(NvmlReturn.GPU_IS_LOST));
      assertThat(nvml.device(0).memoryInfo().total()).isPositive();
      assertThat(nvml.deviceCount()).isEqualTo(4);

      node.recoverGpu(inventory.gpu(1).uuid());
      assertThat(gpu1.uuid()).isEqualTo(inventory.gpu(1).uuid());
    }
  }

  @Test
  void aScriptedFailureStartsAfterTheGivenNumberOfSuccessfulCalls() {
    FakeInventory inventory = FakeInventory.fourGpusTwoNumaNvlinkPairs().toBuilder()
        .failure(new Failure("nvmlDeviceGetMemoryInfo", 1, NvmlReturn.GPU_IS_LOST, 3))
        .failure(new Failure("nvmlDeviceGetName", Failure.ANY_GPU, NvmlReturn.NO_PERMISSION, 0))
        .build();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      NvmlDevice gpu1 = nvml.device(1);
      for (int call = 0; call < 3; call++) {
        assertThat(gpu1.memoryInfo().total()).isPositive();
      }
      assertThatThrownBy(gpu1::memoryInfo)
          .isInstanceOfSatisfying(
              NvmlException.class,
              code(NvmlReturn.GPU_IS_LOST, "nvmlDeviceGetMemoryInfo", "GPU is lost"));
      assertThatThrownBy(gpu1::memoryInfo).isInstanceOf(NvmlException.class);
      assertThat(nvml.device(0).memoryInfo().total()).isPositive();
      assertThatThrownBy(() -> nvml.device(3).name())
          .isInstanceOfSatisfying(
              NvmlException.class,
              code(NvmlReturn.NO_PERMISSION, "nvmlDeviceGetName", "Insufficient Permissions"));
    }
  }

  @Test
  void controlFileFailuresApplyFromTheNextCallUntilCleared() {
    FakeInventory inventory = FakeInventory.dgx1CubeMesh();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      NvmlDevice gpu4 = nvml.device(4);
      assertThat(gpu4.nvLinkActive(0)).isTrue();

      node.failCalls("nvmlDeviceGetNvLinkState", inventory.gpu(4).uuid(), NvmlReturn.NOT_SUPPORTED);
      node.failCalls("nvmlSystemGetDriverVersion", null, NvmlReturn.DRIVER_NOT_LOADED);

      assertThatThrownBy(() -> gpu4.nvLinkActive(0))
          .isInstanceOfSatisfying(
              NvmlException.class,
              code(NvmlReturn.NOT_SUPPORTED, "nvmlDeviceGetNvLinkState", "Not Supported"));
      assertThat(nvml.device(5).nvLinkActive(0)).isTrue();
      assertThatThrownBy(nvml::driverVersion)
          .isInstanceOfSatisfying(
              NvmlException.class,
              code(
                  NvmlReturn.DRIVER_NOT_LOADED, "nvmlSystemGetDriverVersion", "Driver Not Loaded"));

      node.clearFailures("nvmlSystemGetDriverVersion");
      assertThat(nvml.driverVersion()).isNotEmpty();
      assertThatThrownBy(() -> gpu4.nvLinkActive(0)).isInstanceOf(NvmlException.class);
      node.clearFailures();
      assertThat(gpu4.nvLinkActive(0)).isTrue();
    }
  }

  @Test
  void initFailsWithTheScriptedCode() {
    FakeInventory inventory = FakeInventory.fourGpusTwoNumaNvlinkPairs().toBuilder()
        .failure(new Failure("nvmlInit_v2", Failure.ANY_GPU, NvmlReturn.DRIVER_NOT_LOADED, 0))
        .build();
    FakeNode node = FakeNode.create(dir, inventory);

    assertThatThrownBy(() -> Nvml.open(node.libraryPath()))
        .isInstanceOfSatisfying(
            NvmlException.class,
            code(NvmlReturn.DRIVER_NOT_LOADED, "nvmlInit_v2", "Driver Not Loaded"));
  }

  @Test
  void initFailureInjectedAtRunTimeHitsTheNextStartOnly() {
    FakeNode node = FakeNode.create(dir, FakeInventory.fourGpusTwoNumaNvlinkPairs());
    Nvml.open(node.libraryPath()).close();
    node.failCalls("nvmlInit_v2", null, NvmlReturn.LIB_RM_VERSION_MISMATCH);

    assertThatThrownBy(() -> Nvml.open(node.libraryPath()))
        .isInstanceOfSatisfying(
            NvmlException.class,
            e -> assertThat(e.code()).isEqualTo(NvmlReturn.LIB_RM_VERSION_MISMATCH));
    node.clearFailures();
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      assertThat(nvml.deviceCount()).isEqualTo(4);
    }
  }

  @Test
  void callsAfterCloseAreUninitialized() {
    FakeNode node = FakeNode.create(dir, FakeInventory.fourGpusTwoNumaNvlinkPairs());
    Nvml nvml = Nvml.open(node.libraryPath());
    NvmlDevice gpu0 = nvml.device(0);
    NvmlEventSet set = nvml.createEventSet();
    nvml.close();
    nvml.close(); // idempotent: must not release a reference another instance holds

    assertThatThrownBy(gpu0::uuid)
        .isInstanceOfSatisfying(
            NvmlException.class,
            code(NvmlReturn.UNINITIALIZED, "nvmlDeviceGetUUID", "Uninitialized"));
    assertThatThrownBy(nvml::deviceCount)
        .isInstanceOfSatisfying(
            NvmlException.class, e -> assertThat(e.code()).isEqualTo(NvmlReturn.UNINITIALIZED));
    assertThatThrownBy(() -> set.await(Duration.ZERO))
        .isInstanceOfSatisfying(
            NvmlException.class, e -> assertThat(e.code()).isEqualTo(NvmlReturn.UNINITIALIZED));
    set.close(); // NVML freed it at shutdown; closing it afterwards is harmless
    // And the library itself has no initialisation left.
    assertThat(RawFakeLibrary.in(dir).nvmlDeviceGetCount_v2(new IntByReference()))
        .isEqualTo(NvmlReturn.UNINITIALIZED.value());
  }

  static Consumer<NvmlException> code(NvmlReturn expected, String function, String nvmlMessage) {
    return e -> {
      assertThat(e.code()).isEqualTo(expected);
      assertThat(e.function()).isEqualTo(function);
      assertThat(e.getMessage()).contains(nvmlMessage);
    };
  }
}
