package io.kubeaccel.core.inventory;

import io.kubeaccel.nvml.ComputeCapability;
import java.util.List;

/**
 * One physical GPU as read from NVML at start: the values that never change while the card stays in the node.
 *
 * @param index NVML enumeration index
 * @param uuid globally unique id, e.g. {@code GPU-8f6e...}; stable across reboots and agent restarts
 * @param model product name, e.g. {@code NVIDIA H100 80GB HBM3}
 * @param minor the N of {@code /dev/nvidiaN}
 * @param pciBusId PCI address in sysfs form, e.g. {@code 0000:07:00.0}
 * @param numaNode NUMA node of the card's PCI device, or -1 when the platform reports none
 * @param memoryBytes total framebuffer memory
 * @param computeCapability CUDA compute capability
 * @param mig MIG mode of the card
 * @param migDevices the card's MIG devices in slot order; empty unless {@code mig} is {@code ENABLED}
 */
public record Gpu(
    int index,
    String uuid,
    String model,
    int minor,
    String pciBusId,
    int numaNode,
    long memoryBytes,
    ComputeCapability computeCapability,
    MigState mig,
    List<MigDevice> migDevices) {

  public Gpu {
    migDevices = List.copyOf(migDevices);
  }

  /** MIG mode as NVML reports it; {@code UNSUPPORTED} for cards without MIG. */
  public enum MigState {
    UNSUPPORTED,
    DISABLED,
    ENABLED
  }

  /** Total memory in MiB, the unit node labels and annotations use. */
  public long memoryMiB() {
    return memoryBytes >> 20;
  }
}
