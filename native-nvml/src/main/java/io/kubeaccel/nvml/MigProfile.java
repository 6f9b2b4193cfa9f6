package io.kubeaccel.nvml;

/**
 * A MIG device's profile as NVIDIA names it, e.g. {@code 1g.5gb}, {@code 3g.20gb} or {@code 1c.3g.20gb}: the name
 * NVIDIA's k8s-device-plugin puts in resource names ({@code nvidia.com/mig-1g.5gb}).
 *
 * <p>Derived from {@link MigAttributes} and the parent GPU's memory, the way NVIDIA's go-nvlib derives it: the slice
 * counts as they are, the memory as the device's share of the GPU's memory rounded up to eighths (NVIDIA's memory
 * slices) times the GPU's memory in whole GiB, rounded. So an A100-SXM4-40GB's 4864 MiB device is {@code 5gb} and an
 * A100-SXM4-80GB's 80896 MiB one {@code 80gb}. Media-extension profiles ({@code 1g.10gb+me}) cannot be told apart by
 * attributes and come out without the suffix.
 *
 * @param computeSlices the compute instance's slices
 * @param gpuSlices the GPU instance's slices
 * @param memoryGb the memory in the name, in GB as NVIDIA writes it
 */
public record MigProfile(int computeSlices, int gpuSlices, int memoryGb) {

  private static final long MIB = 1L << 20;
  private static final long GIB = 1L << 30;
  private static final int MEMORY_SLICES = 8;

  public MigProfile {
    if (gpuSlices < 1 || computeSlices < 1 || computeSlices > gpuSlices || memoryGb < 0) {
      throw new IllegalArgumentException(
          "a MIG profile needs 1 <= computeSlices <= gpuSlices and memoryGb >= 0: "
              + computeSlices
              + "c."
              + gpuSlices
              + "g."
              + memoryGb
              + "gb");
    }
  }

  /**
   * The profile of a MIG device with {@code attributes} on a GPU with {@code parentMemoryBytes} of memory ({@link
   * MemoryInfo#total()} of {@link NvmlDevice#parent()}).
   */
  public static MigProfile of(MigAttributes attributes, long parentMemoryBytes) {
    return new MigProfile(
        attributes.computeInstanceSliceCount(),
        attributes.gpuInstanceSliceCount(),
        memoryGb(attributes.memorySizeMiB(), parentMemoryBytes));
  }

  /** The GB in the profile name of a MIG device with {@code memoryMiB} on a GPU with {@code parentMemoryBytes}. */
  public static int memoryGb(long memoryMiB, long parentMemoryBytes) {
    if (parentMemoryBytes <= 0) {
      throw new IllegalArgumentException("parent memory must be positive: " + parentMemoryBytes);
    }
    double share = (double) memoryMiB * MIB / parentMemoryBytes;
    double eighths = Math.ceil(share * MEMORY_SLICES) / MEMORY_SLICES;
    long parentGib = (parentMemoryBytes + GIB - 1) / GIB;
    return (int) Math.round(eighths * parentGib);
  }

  /** {@code <g>g.<gb>gb}, or {@code <c>c.<g>g.<gb>gb} when the compute instance has fewer slices. */
  @Override
  public String toString() {
    String name = gpuSlices + "g." + memoryGb + "gb";
    return computeSlices == gpuSlices ? name : computeSlices + "c." + name;
  }
}
