package io.kubeaccel.nvml;

/** CUDA compute capability, e.g. 9.0 for Hopper. */
public record ComputeCapability(int major, int minor) implements Comparable<ComputeCapability> {

  /** Volta, the oldest architecture CUDA MPS resource limits work on. */
  public static final ComputeCapability VOLTA = new ComputeCapability(7, 0);

  @Override
  public int compareTo(ComputeCapability other) {
    return major != other.major
        ? Integer.compare(major, other.major)
        : Integer.compare(minor, other.minor);
  }

  @Override
  public String toString() {
    return major + "." + minor;
  }
}
