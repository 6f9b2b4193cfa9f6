package io.kubeaccel.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fake keeps NVML's C contract below the typed API: reference counts, NULLs, short buffers, bad handles. */
class NvmlCSemanticsTest {
  private static final int SUCCESS = 0;

  @TempDir
  Path dir;

  private FakeInventory inventory;
  private RawFakeLibrary nvml;

  @BeforeEach
  void loadOwnCopy() {
    inventory = FakeInventory.fourGpusTwoNumaNvlinkPairs();
    FakeNode.create(dir, inventory);
    nvml = RawFakeLibrary.in(dir);
  }

  @Test
  void everyCallBeforeInitIsUninitializedButErrorStringWorks() {
    assertThat(nvml.nvmlDeviceGetCount_v2(new IntByReference()))
        .isEqualTo(NvmlReturn.UNINITIALIZED.value());
    assertThat(nvml.nvmlSystemGetDriverVersion(new byte[80], 80))
        .isEqualTo(NvmlReturn.UNINITIALIZED.value());
    assertThat(nvml.nvmlEventSetCreate(new PointerByReference()))
        .isEqualTo(NvmlReturn.UNINITIALIZED.value());
    assertThat(nvml.nvmlShutdown()).isEqualTo(NvmlReturn.UNINITIALIZED.value());
    assertThat(nvml.nvmlErrorString(NvmlReturn.GPU_IS_LOST.value())).isEqualTo("GPU is lost");
  }

  @Test
  void initIsReferenceCounted() {
    assertThat(nvml.nvmlInit_v2()).isEqualTo(SUCCESS);
    assertThat(nvml.nvmlInit_v2()).isEqualTo(SUCCESS);
    assertThat(nvml.nvmlShutdown()).isEqualTo(SUCCESS);
    IntByReference count = new IntByReference();
    assertThat(nvml.nvmlDeviceGetCount_v2(count)).isEqualTo(SUCCESS);
    assertThat(count.getValue()).isEqualTo(4);
    assertThat(nvml.nvmlShutdown()).isEqualTo(SUCCESS);
    assertThat(nvml.nvmlDeviceGetCount_v2(count)).isEqualTo(NvmlReturn.UNINITIALIZED.value());
    assertThat(nvml.nvmlShutdown()).isEqualTo(NvmlReturn.UNINITIALIZED.value());
  }

  @Test
  void nullOutputPointersAreInvalidArguments() {
    assertThat(nvml.nvmlInit_v2()).isEqualTo(SUCCESS);
    Pointer gpu = handle(0);
    int invalid = NvmlReturn.INVALID_ARGUMENT.value();
    assertThat(nvml.nvmlDeviceGetCount_v2(null)).isEqualTo(invalid);
    assertThat(nvml.nvmlDeviceGetHandleByIndex_v2(0, null)).isEqualTo(invalid);
    assertThat(nvml.nvmlDeviceGetUUID(gpu, null, 96)).isEqualTo(invalid);
    assertThat(nvml.nvmlDeviceGetMinorNumber(gpu, null)).isEqualTo(invalid);
    assertThat(nvml.nvmlDeviceGetPciInfo_v3(gpu, null)).isEqualTo(invalid);
    assertThat(nvml.nvmlDeviceGetMemoryInfo(gpu, null)).isEqualTo(invalid);
    assertThat(nvml.nvmlDeviceGetCudaComputeCapability(gpu, new IntByReference(), null))
        .isEqualTo(invalid);
    assertThat(nvml.nvmlDeviceGetMigMode(gpu, null, new IntByReference())).isEqualTo(invalid);
    assertThat(nvml.nvmlDeviceGetTopologyCommonAncestor(gpu, handle(1), null)).isEqualTo(invalid);
    assertThat(nvml.nvmlDeviceGetNvLinkState(gpu, 0, null)).isEqualTo(invalid);
    assertThat(nvml.nvmlDeviceGetSupportedEventTypes(gpu, null)).isEqualTo(invalid);
    assertThat(nvml.nvmlEventSetCreate(null)).isEqualTo(invalid);
    assertThat(nvml.nvmlDeviceGetHandleByUUID(null, new PointerByReference())).isEqualTo(invalid);
    assertThat(nvml.nvmlShutdown()).isEqualTo(SUCCESS);
  }

  @Test
  void bogusHandlesAreRejectedWithoutBeingDereferenced() {
    assertThat(nvml.nvmlInit_v2()).isEqualTo(SUCCESS);
    int invalid = NvmlReturn.INVALID_ARGUMENT.value();
    Pointer inside = handle(0).share(8); // points into the inventory, but not at a GPU
    for (Pointer bogus : List.of(new Pointer(0x1234), inside, new Pointer(8))) {
      assertThat(nvml.nvmlDeviceGetMinorNumber(bogus, new IntByReference())).isEqualTo(invalid);
    }
    assertThat(nvml.nvmlDeviceGetMinorNumber(null, new IntByReference())).isEqualTo(invalid);
    assertThat(nvml.nvmlDeviceGetHandleByIndex_v2(4, new PointerByReference())).isEqualTo(invalid);
    assertThat(nvml.nvmlEventSetFree(new Pointer(0x1234))).isEqualTo(invalid);
    PointerByReference set = new PointerByReference();
    assertThat(nvml.nvmlEventSetCreate(set)).isEqualTo(SUCCESS);
    assertThat(nvml.nvmlEventSetFree(set.getValue())).isEqualTo(SUCCESS);
    assertThat(nvml.nvmlEventSetFree(set.getValue())).as("double free").isEqualTo(invalid);
    assertThat(nvml.nvmlShutdown()).isEqualTo(SUCCESS);
  }

  @Test
  void shortBuffersAreInsufficientSize() {
    assertThat(nvml.nvmlInit_v2()).isEqualTo(SUCCESS);
    Pointer gpu = handle(0);
    int insufficient = NvmlReturn.INSUFFICIENT_SIZE.value();
    String uuid = inventory.gpu(0).uuid();
    assertThat(nvml.nvmlDeviceGetUUID(gpu, new byte[96], uuid.length())).isEqualTo(insufficient);
    assertThat(nvml.nvmlDeviceGetName(gpu, new byte[96], 4)).isEqualTo(insufficient);
    assertThat(nvml.nvmlSystemGetDriverVersion(new byte[80], 9)).isEqualTo(insufficient);
    byte[] exact = new byte[96];
    assertThat(nvml.nvmlDeviceGetUUID(gpu, exact, uuid.length() + 1)).isEqualTo(SUCCESS);
    assertThat(NvmlStructs.cString(exact)).isEqualTo(uuid);
    assertThat(nvml.nvmlShutdown()).isEqualTo(SUCCESS);
  }

  @Test
  void handlesByUuidAreTheHandlesByIndex() {
    assertThat(nvml.nvmlInit_v2()).isEqualTo(SUCCESS);
    PointerByReference byUuid = new PointerByReference();
    assertThat(nvml.nvmlDeviceGetHandleByUUID(inventory.gpu(2).uuid(), byUuid)).isEqualTo(SUCCESS);
    assertThat(byUuid.getValue()).isEqualTo(handle(2));
    assertThat(nvml.nvmlDeviceGetHandleByUUID("GPU-00000000-0000-0000-0000-00000000dead", byUuid))
        .isEqualTo(NvmlReturn.NOT_FOUND.value());
    assertThat(nvml.nvmlShutdown()).isEqualTo(SUCCESS);
  }

  @Test
  void errorStringsReadLikeTheRealLibrary() {
    assertThat(nvml.nvmlErrorString(NvmlReturn.SUCCESS.value())).isEqualTo("Success");
    assertThat(nvml.nvmlErrorString(NvmlReturn.DRIVER_NOT_LOADED.value()))
        .isEqualTo("Driver Not Loaded");
    assertThat(nvml.nvmlErrorString(NvmlReturn.NOT_SUPPORTED.value())).isEqualTo("Not Supported");
    assertThat(nvml.nvmlErrorString(NvmlReturn.TIMEOUT.value())).isEqualTo("Timeout");
    assertThat(nvml.nvmlErrorString(NvmlReturn.UNKNOWN.value())).isEqualTo("Unknown Error");
    assertThat(nvml.nvmlErrorString(12345)).isEqualTo("Unknown Error");
    for (NvmlReturn code : NvmlReturn.values()) {
      assertThat(nvml.nvmlErrorString(code.value())).as(code.name()).isNotBlank();
    }
  }

  @Test
  void jnaOwnClasspathSearchNeverFindsTheBundledFake() {
    // The fake sits in the jar under io/kubeaccel/nvml/fake/, never where JNA looks
    // (linux-x86-64/...), so a node
    // without a driver can never silently load the fake in production.
    for (String name : List.of("nvidia-ml", "libnvidia-ml.so.1", "libnvidia-ml.so")) {
      assertThatThrownBy(() -> Native.extractFromResourcePath(name, getClass().getClassLoader()))
          .as(name)
          .isInstanceOf(IOException.class);
    }
  }

  private Pointer handle(int index) {
    PointerByReference handle = new PointerByReference();
    assertThat(nvml.nvmlDeviceGetHandleByIndex_v2(index, handle)).isEqualTo(SUCCESS);
    return handle.getValue();
  }
}
