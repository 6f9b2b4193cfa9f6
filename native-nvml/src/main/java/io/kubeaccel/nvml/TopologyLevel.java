package io.kubeaccel.nvml;

/** How close two GPUs are on PCIe ({@code nvmlGpuTopologyLevel_t}), closest first. */
public enum TopologyLevel {
  /** Same board (e.g. a dual-GPU card). */
  INTERNAL(0),
  /** Connected through a single PCIe switch. */
  SINGLE(10),
  /** Connected through several PCIe switches, without crossing a host bridge. */
  MULTIPLE(20),
  /** Connected through a PCIe host bridge. */
  HOSTBRIDGE(30),
  /** Same NUMA node: connected through the interconnect between host bridges of one CPU. */
  NODE(40),
  /** Different CPUs: connected across the inter-socket link (SMP). */
  SYSTEM(50);

  private final int nvmlValue;

  TopologyLevel(int nvmlValue) {
    this.nvmlValue = nvmlValue;
  }

  /** The numeric value NVML uses. */
  public int nvmlValue() {
    return nvmlValue;
  }

  /**
   * The level for NVML's numeric value.
   *
   * @throws IllegalArgumentException for a value NVML does not define
   */
  public static TopologyLevel fromNvml(int value) {
    for (TopologyLevel level : values()) {
      if (level.nvmlValue == value) {
        return level;
      }
    }
    throw new IllegalArgumentException("unknown NVML topology level " + value);
  }
}
