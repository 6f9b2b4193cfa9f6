package io.kubeaccel.nvml.fake;

import io.kubeaccel.nvml.ComputeCapability;

/**
 * GPU products the fake can impersonate, with the values real NVML reports for them (product name, PCI device and
 * subsystem ids, framebuffer size in MiB as {@code nvidia-smi} shows it, compute capability, MIG capability).
 */
public enum FakeGpuModel {
  TESLA_V100_SXM2_16GB("Tesla V100-SXM2-16GB", 0x1DB110DE, 0x121210DE, 16160, 7, 0, false),
  TESLA_T4("Tesla T4", 0x1EB810DE, 0x12A210DE, 15360, 7, 5, false),
  A10("NVIDIA A10", 0x223610DE, 0x148210DE, 23028, 8, 6, false),
  A100_SXM4_40GB("NVIDIA A100-SXM4-40GB", 0x20B010DE, 0x134F10DE, 40960, 8, 0, true),
  A100_SXM4_80GB("NVIDIA A100-SXM4-80GB", 0x20B210DE, 0x147F10DE, 81920, 8, 0, true),
  H100_80GB_HBM3("NVIDIA H100 80GB HBM3", 0x233010DE, 0x16C110DE, 81559, 9, 0, true);

  private final String productName;
  private final int pciDeviceId;
  private final int pciSubSystemId;
  private final long memoryMiB;
  private final ComputeCapability computeCapability;
  private final boolean migCapable;

  FakeGpuModel(
      String productName,
      int pciDeviceId,
      int pciSubSystemId,
      long memoryMiB,
      int ccMajor,
      int ccMinor,
      boolean migCapable) {
    this.productName = productName;
    this.pciDeviceId = pciDeviceId;
    this.pciSubSystemId = pciSubSystemId;
    this.memoryMiB = memoryMiB;
    this.computeCapability = new ComputeCapability(ccMajor, ccMinor);
    this.migCapable = migCapable;
  }

  /** The name {@code nvmlDeviceGetName} returns. */
  public String productName() {
    return productName;
  }

  public int pciDeviceId() {
    return pciDeviceId;
  }

  public int pciSubSystemId() {
    return pciSubSystemId;
  }

  public long memoryMiB() {
    return memoryMiB;
  }

  public ComputeCapability computeCapability() {
    return computeCapability;
  }

  /** Whether the product supports MIG (then the fake reports it disabled by default, else not supported). */
  public boolean migCapable() {
    return migCapable;
  }
}
