package io.kubeaccel.nvml.fake;

/**
 * A compute process the fake reports on a GPU or MIG device ({@code nvmlDeviceGetComputeRunningProcesses_v3}, and
 * {@code nvmlDeviceGetProcessUtilization} when any utilisation is non-zero).
 *
 * @param pid its process id, 1 or more
 * @param usedMiB device memory it uses
 * @param smUtil percent of the streaming multiprocessors
 * @param memUtil percent of the memory bandwidth
 * @param encUtil percent of the video encoder
 * @param decUtil percent of the video decoder
 */
public record FakeProcess(
    int pid, long usedMiB, int smUtil, int memUtil, int encUtil, int decUtil) {

  public FakeProcess {
    if (pid < 1 || usedMiB < 0) {
      throw new IllegalArgumentException("pid must be positive, usedMiB not negative: " + pid);
    }
    for (int percent : new int[] {smUtil, memUtil, encUtil, decUtil}) {
      if (percent < 0 || percent > 100) {
        throw new IllegalArgumentException("utilisation must be 0..100 percent: " + percent);
      }
    }
  }

  /** A compute process without video engine use. */
  public static FakeProcess of(int pid, long usedMiB, int smUtil, int memUtil) {
    return new FakeProcess(pid, usedMiB, smUtil, memUtil, 0, 0);
  }
}
