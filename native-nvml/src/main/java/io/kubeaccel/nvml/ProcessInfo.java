package io.kubeaccel.nvml;

/**
 * A process with a CUDA context on a GPU or MIG device ({@code nvmlProcessInfo_t}).
 *
 * @param pid the process id (in the host's PID namespace)
 * @param usedGpuMemory bytes of device memory it uses; -1 ({@code NVML_VALUE_NOT_AVAILABLE}) when the driver cannot
 *     tell
 * @param gpuInstanceId its MIG GPU instance, or {@link #NO_INSTANCE} when it does not run on a MIG device
 * @param computeInstanceId its MIG compute instance, or {@link #NO_INSTANCE}
 */
public record ProcessInfo(int pid, long usedGpuMemory, int gpuInstanceId, int computeInstanceId) {

  /** NVML's 0xFFFFFFFF: the process does not run on a MIG device. */
  public static final int NO_INSTANCE = -1;

  /** Whether the process runs on a MIG device (its instance ids are set). */
  public boolean onMigDevice() {
    return gpuInstanceId != NO_INSTANCE;
  }
}
