package io.kubeaccel.nvml;

/** A CUDA version as NVML encodes it: {@code 1000 * major + 10 * minor} (12040 is 12.4). */
public record CudaVersion(int major, int minor) implements Comparable<CudaVersion> {

  /** Decodes NVML's integer form. */
  public static CudaVersion fromNvml(int encoded) {
    return new CudaVersion(encoded / 1000, (encoded % 1000) / 10);
  }

  @Override
  public int compareTo(CudaVersion other) {
    return major != other.major
        ? Integer.compare(major, other.major)
        : Integer.compare(minor, other.minor);
  }

  @Override
  public String toString() {
    return major + "." + minor;
  }
}
