package io.kubeaccel.nvml;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import io.kubeaccel.nvml.fake.FakeGpu;
import io.kubeaccel.nvml.fake.FakeGpuModel;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeNode;
import io.kubeaccel.nvml.fake.FakeProcess;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NVML's C contract for the MIG, process, utilisation, temperature and power calls, below the typed API: the sizing
 * protocol of the list calls, NULLs, bad handles and bad arguments.
 */
class NvmlNewCallsCSemanticsTest {
  private static final int SUCCESS = 0;
  private static final int INVALID = NvmlReturn.INVALID_ARGUMENT.value();
  private static final int INSUFFICIENT = NvmlReturn.INSUFFICIENT_SIZE.value();

  @TempDir
  Path dir;

  private RawFakeLibrary nvml;

  @BeforeEach
  void loadOwnCopy() {
    FakeInventory inventory = FakeInventory.builder()
        .gpu(FakeGpu.of(FakeGpuModel.A100_SXM4_40GB, "c", 0)
            .withProcesses(
                FakeProcess.of(11, 100, 10, 1),
                FakeProcess.of(12, 200, 0, 0),
                FakeProcess.of(13, 300, 30, 3)))
        .gpu(FakeGpu.of(FakeGpuModel.A100_SXM4_40GB, "c", 1).withMigProfiles("7g.40gb"))
        .gpu(FakeGpu.of(FakeGpuModel.A100_SXM4_40GB, "c", 2))
        .build();
    FakeNode.create(dir, inventory);
    nvml = RawFakeLibrary.in(dir);
    assertThat(nvml.nvmlInit_v2()).isEqualTo(SUCCESS);
  }

  @AfterEach
  void shutDown() {
    assertThat(nvml.nvmlShutdown()).isEqualTo(SUCCESS);
  }

  @Test
  void processListsFollowNvmlsSizingProtocol() {
    Pointer busy = handle(0);
    IntByReference count = new IntByReference(0);
    assertThat(nvml.nvmlDeviceGetComputeRunningProcesses_v3(busy, count, null))
        .isEqualTo(INSUFFICIENT);
    assertThat(count.getValue()).isEqualTo(3);

    count.setValue(1);
    assertThat(nvml.nvmlDeviceGetComputeRunningProcesses_v3(busy, count, infos(1)))
        .isEqualTo(INSUFFICIENT);
    assertThat(count.getValue()).isEqualTo(3);

    NvmlStructs.ProcessInfoStruct[] room = infos(5);
    count.setValue(5);
    assertThat(nvml.nvmlDeviceGetComputeRunningProcesses_v3(busy, count, room)).isEqualTo(SUCCESS);
    assertThat(count.getValue()).isEqualTo(3);
    assertThat(room[2].toProcessInfo()).isEqualTo(new ProcessInfo(13, 300L << 20, -1, -1));

    count.setValue(3);
    assertThat(nvml.nvmlDeviceGetComputeRunningProcesses_v3(busy, count, null)).isEqualTo(INVALID);
    assertThat(nvml.nvmlDeviceGetComputeRunningProcesses_v3(busy, null, room)).isEqualTo(INVALID);

    count.setValue(0);
    assertThat(nvml.nvmlDeviceGetComputeRunningProcesses_v3(handle(2), count, null))
        .isEqualTo(SUCCESS);
    assertThat(count.getValue()).isZero();
  }

  @Test
  void processUtilizationSizesLikePynvmlExpectsAndFindsNothingOnAnIdleGpu() {
    Pointer busy = handle(0);
    IntByReference count = new IntByReference(0);
    assertThat(nvml.nvmlDeviceGetProcessUtilization(busy, null, count, 0)).isEqualTo(INSUFFICIENT);
    assertThat(count.getValue()).isEqualTo(2);

    count.setValue(1);
    assertThat(nvml.nvmlDeviceGetProcessUtilization(busy, samples(1), count, 0))
        .isEqualTo(INSUFFICIENT);
    assertThat(count.getValue()).isEqualTo(2);

    NvmlStructs.ProcessUtilizationSampleStruct[] room = samples(2);
    assertThat(nvml.nvmlDeviceGetProcessUtilization(busy, room, count, 0)).isEqualTo(SUCCESS);
    assertThat(room[1].toSample().pid()).isEqualTo(13);
    assertThat(nvml.nvmlDeviceGetProcessUtilization(busy, room, null, 0)).isEqualTo(INVALID);

    count.setValue(7);
    assertThat(nvml.nvmlDeviceGetProcessUtilization(handle(2), null, count, 0))
        .isEqualTo(NvmlReturn.NOT_FOUND.value());
    assertThat(count.getValue()).isZero();
  }

  @Test
  void nullOutputsBadSensorsAndBogusHandlesAreInvalidArguments() {
    Pointer gpu = handle(0);
    Pointer mig = migHandle();
    assertThat(nvml.nvmlDeviceGetUtilizationRates(gpu, null)).isEqualTo(INVALID);
    assertThat(nvml.nvmlDeviceGetTemperature(gpu, 0, null)).isEqualTo(INVALID);
    assertThat(nvml.nvmlDeviceGetTemperature(gpu, 1, new IntByReference())).isEqualTo(INVALID);
    assertThat(nvml.nvmlDeviceGetPowerUsage(gpu, null)).isEqualTo(INVALID);
    assertThat(nvml.nvmlDeviceGetMaxMigDeviceCount(handle(1), null)).isEqualTo(INVALID);
    assertThat(nvml.nvmlDeviceGetMigDeviceHandleByIndex(handle(1), 0, null)).isEqualTo(INVALID);
    assertThat(nvml.nvmlDeviceIsMigDeviceHandle(mig, null)).isEqualTo(INVALID);
    assertThat(nvml.nvmlDeviceGetDeviceHandleFromMigDeviceHandle(mig, null)).isEqualTo(INVALID);
    assertThat(nvml.nvmlDeviceGetGpuInstanceId(mig, null)).isEqualTo(INVALID);
    assertThat(nvml.nvmlDeviceGetComputeInstanceId(mig, null)).isEqualTo(INVALID);
    assertThat(nvml.nvmlDeviceGetAttributes_v2(mig, null)).isEqualTo(INVALID);

    Pointer insideMig = mig.share(8); // within the MIG device table, but not at a device
    for (Pointer bogus : new Pointer[] {new Pointer(0x1234), insideMig}) {
      assertThat(nvml.nvmlDeviceIsMigDeviceHandle(bogus, new IntByReference())).isEqualTo(INVALID);
      assertThat(nvml.nvmlDeviceGetUUID(bogus, new byte[96], 96)).isEqualTo(INVALID);
      assertThat(nvml.nvmlDeviceGetPowerUsage(bogus, new IntByReference())).isEqualTo(INVALID);
    }
    IntByReference isMig = new IntByReference(-1);
    assertThat(nvml.nvmlDeviceIsMigDeviceHandle(mig, isMig)).isEqualTo(SUCCESS);
    assertThat(isMig.getValue()).isOne();
    assertThat(nvml.nvmlDeviceIsMigDeviceHandle(gpu, isMig)).isEqualTo(SUCCESS);
    assertThat(isMig.getValue()).isZero();
  }

  private Pointer handle(int index) {
    PointerByReference handle = new PointerByReference();
    assertThat(nvml.nvmlDeviceGetHandleByIndex_v2(index, handle)).isEqualTo(SUCCESS);
    return handle.getValue();
  }

  private Pointer migHandle() {
    PointerByReference mig = new PointerByReference();
    assertThat(nvml.nvmlDeviceGetMigDeviceHandleByIndex(handle(1), 0, mig)).isEqualTo(SUCCESS);
    return mig.getValue();
  }

  private static NvmlStructs.ProcessInfoStruct[] infos(int n) {
    return (NvmlStructs.ProcessInfoStruct[]) new NvmlStructs.ProcessInfoStruct().toArray(n);
  }

  private static NvmlStructs.ProcessUtilizationSampleStruct[] samples(int n) {
    return (NvmlStructs.ProcessUtilizationSampleStruct[])
        new NvmlStructs.ProcessUtilizationSampleStruct().toArray(n);
  }
}
