package io.kubeaccel.nvml;

/**
 * A typed view of the NVIDIA Management Library (libnvidia-ml.so.1), reached through JNA.
 *
 * <p>An instance holds one NVML initialisation ({@code nvmlInit_v2}); {@link #close()} releases it
 * ({@code nvmlShutdown}). Every method may throw {@link NvmlException} carrying the NVML return code and the
 * library's own message ({@code nvmlErrorString}). Instances are safe for use from several threads: NVML itself is
 * thread-safe and the binding keeps no mutable state besides the library handle.
 */
public interface Nvml extends AutoCloseable {

  /**
   * Loads libnvidia-ml.so.1 from {@code path} (or the system's library path) and initialises it.
   *
   * @throws NvmlException with {@link NvmlReturn#LIBRARY_NOT_FOUND} naming every place searched when the library
   *     cannot be loaded, or with the code {@code nvmlInit_v2} returned
   */
  static Nvml open(NvmlLibraryPath path) {
    return JnaNvml.open(path);
  }

  /** The driver version, e.g. {@code 550.54.15} ({@code nvmlSystemGetDriverVersion}). */
  String driverVersion();

  /** The highest CUDA version the driver supports ({@code nvmlSystemGetCudaDriverVersion}). */
  CudaVersion cudaDriverVersion();

  /** Number of GPUs visible to NVML ({@code nvmlDeviceGetCount_v2}). */
  int deviceCount();

  /** The GPU at {@code index}, 0-based, in NVML's enumeration order ({@code nvmlDeviceGetHandleByIndex_v2}). */
  NvmlDevice device(int index);

  /**
   * The GPU or MIG device with {@code uuid} ({@code nvmlDeviceGetHandleByUUID}): {@code GPU-...}, {@code MIG-...} or
   * the legacy {@code MIG-GPU-<uuid>/<gi>/<ci>}.
   *
   * @throws NvmlException with {@link NvmlReturn#NOT_FOUND} when there is none
   */
  NvmlDevice deviceByUuid(String uuid);

  /** A new event set ({@code nvmlEventSetCreate}); close it to free it ({@code nvmlEventSetFree}). */
  NvmlEventSet createEventSet();

  /** Shuts NVML down ({@code nvmlShutdown}); the devices and event sets of this instance become unusable. */
  @Override
  void close();
}
