package io.kubeaccel.nvml;

/**
 * One GPU as NVML sees it (an {@code nvmlDevice_t} handle). Each accessor is one NVML call; nothing is cached, so
 * callers that need a stable view (the inventory) read once and keep the values.
 *
 * @see Nvml#device(int)
 */
public interface NvmlDevice {

  /** The index this handle was obtained with. */
  int index();

  /** The globally unique id, e.g. {@code GPU-8f6e...} ({@code nvmlDeviceGetUUID}). */
  String uuid();

  /** The product name, e.g. {@code NVIDIA H100 80GB HBM3} ({@code nvmlDeviceGetName}). */
  String name();

  /** The N of {@code /dev/nvidiaN} ({@code nvmlDeviceGetMinorNumber}). */
  int minorNumber();

  /** PCI identity ({@code nvmlDeviceGetPciInfo_v3}). */
  PciInfo pciInfo();

  /** Framebuffer memory in bytes ({@code nvmlDeviceGetMemoryInfo}). */
  MemoryInfo memoryInfo();

  /** CUDA compute capability ({@code nvmlDeviceGetCudaComputeCapability}). */
  ComputeCapability cudaComputeCapability();

  /**
   * MIG mode ({@code nvmlDeviceGetMigMode}).
   *
   * @throws NvmlException with {@link NvmlReturn#NOT_SUPPORTED} on GPUs without MIG
   */
  MigMode migMode();

  /** The closest common PCIe ancestor of this GPU and {@code other} ({@code nvmlDeviceGetTopologyCommonAncestor}). */
  TopologyLevel topologyCommonAncestor(NvmlDevice other);

  /**
   * Whether NVLink {@code link} is active ({@code nvmlDeviceGetNvLinkState}). Callers probe links 0..17 and stop
   * caring at the first {@link NvmlReturn#NOT_SUPPORTED}.
   *
   * @throws NvmlException {@link NvmlReturn#INVALID_ARGUMENT} for a link index outside 0..17 ({@code
   *     NVML_NVLINK_MAX_LINKS} is 18), {@link NvmlReturn#NOT_SUPPORTED} for a link index the GPU does not have,
   *     which is every index on GPUs without NVLink
   */
  boolean nvLinkActive(int link);

  /** PCI identity of the device at the far end of NVLink {@code link} ({@code nvmlDeviceGetNvLinkRemotePciInfo_v2}). */
  PciInfo nvLinkRemotePciInfo(int link);

  /** What kind of device is at the far end of NVLink {@code link} ({@code nvmlDeviceGetNvLinkRemoteDeviceType}). */
  NvLinkDeviceType nvLinkRemoteDeviceType(int link);

  /** Bit mask of {@link NvmlEventTypes} this GPU can report ({@code nvmlDeviceGetSupportedEventTypes}). */
  long supportedEventTypes();
}
