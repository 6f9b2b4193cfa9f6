package io.kubeaccel.nvml;

/** Who may create CUDA contexts on a GPU ({@code nvmlComputeMode_t}). */
public enum ComputeMode {
  /** Any number of processes, each with any number of contexts. */
  DEFAULT(0),
  /**
   * One context, usable from one thread at a time. Removed by NVIDIA (CUDA 8): drivers refuse to set it, so it is here
   * only so that every NVML value has a name.
   */
  EXCLUSIVE_THREAD(1),
  /** No CUDA contexts at all. */
  PROHIBITED(2),
  /** One process (e.g. the CUDA MPS server), with any number of threads. */
  EXCLUSIVE_PROCESS(3);

  private final int nvmlValue;

  ComputeMode(int nvmlValue) {
    this.nvmlValue = nvmlValue;
  }

  /** The numeric value NVML uses. */
  public int nvmlValue() {
    return nvmlValue;
  }

  /**
   * The mode for NVML's numeric value.
   *
   * @throws IllegalArgumentException for a value NVML does not define
   */
  public static ComputeMode fromNvml(int value) {
    for (ComputeMode mode : values()) {
      if (mode.nvmlValue == value) {
        return mode;
      }
    }
    throw new IllegalArgumentException("unknown NVML compute mode " + value);
  }
}
