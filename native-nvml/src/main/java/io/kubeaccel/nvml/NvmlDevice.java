package io.kubeaccel.nvml;

import java.util.List;
import java.util.Optional;

/**
 * One GPU, or one MIG device of a GPU in MIG mode, as NVML sees it (an {@code nvmlDevice_t} handle). Each accessor is
 * one NVML call (a few for the list-returning ones); nothing is cached, so callers that need a stable view (the
 * inventory) read once and keep the values.
 *
 * <p>A MIG device ({@link #isMigDevice()}) answers identity, memory, compute capability, processes and the MIG
 * queries; the calls about the physical GPU (PCI, minor number, topology, NVLink, events, compute mode, utilisation,
 * temperature, power) throw {@link NvmlException} with {@link NvmlReturn#NOT_SUPPORTED} for it: ask its {@link
 * #parent()}.
 *
 * @see Nvml#device(int)
 * @see #migDevice(int)
 */
public interface NvmlDevice {

  /** The index this handle was obtained with: the GPU's for a GPU, the slot under its parent for a MIG device. */
  int index();

  /**
   * The globally unique id ({@code nvmlDeviceGetUUID}), e.g. {@code GPU-8f6e...}, or {@code MIG-...} for a MIG device.
   */
  String uuid();

  /**
   * The product name ({@code nvmlDeviceGetName}), e.g. {@code NVIDIA H100 80GB HBM3}; a MIG device's names its GPU
   * and profile, e.g. {@code NVIDIA A100-SXM4-40GB MIG 1g.5gb}.
   */
  String name();

  /**
   * The N of {@code /dev/nvidiaN} ({@code nvmlDeviceGetMinorNumber}).
   *
   * @throws NvmlException with {@link NvmlReturn#NOT_SUPPORTED} for a MIG device (it is reached through its parent's
   *     device node plus {@code /dev/nvidia-caps})
   */
  int minorNumber();

  /** PCI identity ({@code nvmlDeviceGetPciInfo_v3}). */
  PciInfo pciInfo();

  /** Framebuffer memory in bytes ({@code nvmlDeviceGetMemoryInfo}); a MIG device's own share for a MIG device. */
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

  // MIG: enumeration on a GPU, and what a MIG device is.

  /**
   * How many MIG devices this GPU can have ({@code nvmlDeviceGetMaxMigDeviceCount}): the slots {@link #migDevice}
   * takes. 0 when MIG mode is off or not supported.
   */
  int maxMigDeviceCount();

  /**
   * The MIG device in slot {@code index} ({@code nvmlDeviceGetMigDeviceHandleByIndex}), or empty when the slot holds
   * none ({@link NvmlReturn#NOT_FOUND}).
   *
   * @throws NvmlException with {@link NvmlReturn#INVALID_ARGUMENT} for an index outside {@code 0 ..
   *     maxMigDeviceCount() - 1}
   */
  Optional<NvmlDevice> migDevice(int index);

  /** Every MIG device of this GPU, by slot; empty when MIG mode is off. */
  List<NvmlDevice> migDevices();

  /** Whether this is a MIG device rather than a whole GPU ({@code nvmlDeviceIsMigDeviceHandle}). */
  boolean isMigDevice();

  /**
   * The GPU this MIG device belongs to ({@code nvmlDeviceGetDeviceHandleFromMigDeviceHandle}).
   *
   * @throws NvmlException with {@link NvmlReturn#NOT_SUPPORTED} for a whole GPU
   */
  NvmlDevice parent();

  /**
   * This MIG device's GPU instance id ({@code nvmlDeviceGetGpuInstanceId}).
   *
   * @throws NvmlException with {@link NvmlReturn#NOT_SUPPORTED} for a whole GPU
   */
  int gpuInstanceId();

  /**
   * This MIG device's compute instance id within its GPU instance ({@code nvmlDeviceGetComputeInstanceId}).
   *
   * @throws NvmlException with {@link NvmlReturn#NOT_SUPPORTED} for a whole GPU
   */
  int computeInstanceId();

  /**
   * What this MIG device consists of ({@code nvmlDeviceGetAttributes_v2}).
   *
   * @throws NvmlException with {@link NvmlReturn#NOT_SUPPORTED} for a whole GPU
   */
  MigAttributes attributes();

  /**
   * This MIG device's profile name, e.g. {@code 1g.5gb} ({@link #attributes()} and the parent's memory, see {@link
   * MigProfile}).
   *
   * @throws NvmlException with {@link NvmlReturn#NOT_SUPPORTED} for a whole GPU
   */
  MigProfile migProfile();

  // Compute mode (MPS runs its server in EXCLUSIVE_PROCESS).

  /** Who may create CUDA contexts on this GPU ({@code nvmlDeviceGetComputeMode}). */
  ComputeMode computeMode();

  /**
   * Sets the compute mode ({@code nvmlDeviceSetComputeMode}); takes effect at once for new contexts and lasts until
   * changed or the driver reloads, beyond the calling process.
   *
   * @throws NvmlException with {@link NvmlReturn#NO_PERMISSION} when not run as root, {@link NvmlReturn#NOT_SUPPORTED}
   *     for {@link ComputeMode#EXCLUSIVE_THREAD} or a MIG device
   */
  void setComputeMode(ComputeMode mode);

  // Monitoring (metrics).

  /**
   * How busy the GPU was over the last sample period ({@code nvmlDeviceGetUtilizationRates}).
   *
   * @throws NvmlException with {@link NvmlReturn#NOT_SUPPORTED} on a GPU in MIG mode and on MIG devices
   */
  Utilization utilizationRates();

  /**
   * The processes with a CUDA context here ({@code nvmlDeviceGetComputeRunningProcesses_v3}): on a GPU in MIG mode
   * those of all its MIG devices, each with its instance ids; on a MIG device its own. Re-asks NVML while processes
   * start between the size query and the read. Drivers without {@code _v3} are asked with {@code _v2}, or the
   * unversioned call (no instance ids: {@link ProcessInfo#NO_INSTANCE}); FUNCTION_NOT_FOUND when none answers.
   */
  List<ProcessInfo> computeRunningProcesses();

  /**
   * Per-process utilisation samples newer than {@code lastSeenTimeStamp} microseconds since the epoch, 0 for all the
   * driver keeps ({@code nvmlDeviceGetProcessUtilization}). Only processes that used the GPU are sampled; none is an
   * empty list (NVML's {@link NvmlReturn#NOT_FOUND}).
   *
   * @throws NvmlException with {@link NvmlReturn#NOT_SUPPORTED} on a GPU in MIG mode and on MIG devices
   */
  List<ProcessUtilizationSample> processUtilization(long lastSeenTimeStamp);

  /** The GPU core temperature in degrees Celsius ({@code nvmlDeviceGetTemperature}, {@code NVML_TEMPERATURE_GPU}). */
  int temperatureCelsius();

  /** The power draw of the board in milliwatts ({@code nvmlDeviceGetPowerUsage}). */
  int powerUsageMilliwatts();
}
