package io.kubeaccel.nvml;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@link Nvml} over the JNA {@link NvmlLibrary}: one nvmlInit_v2 per instance, one nvmlShutdown on close. */
final class JnaNvml implements Nvml {
  private final NvmlLibrary library;
  private final String source;
  private final AtomicBoolean closed = new AtomicBoolean();
  /**
   * The version of nvmlDeviceGetComputeRunningProcesses this driver answers, once a call has found it (null before):
   * later calls go straight to it. Threads that race on the first call each probe and store the same answer.
   */
  private volatile JnaProcessLists.RunningVersion runningVersion;

  /** Over a library already initialised (nvmlInit_v2) for this instance; {@link #open} is the way in. */
  JnaNvml(NvmlLibrary library, String source) {
    this.library = library;
    this.source = source;
  }

  static Nvml open(NvmlLibraryPath path) {
    NvmlLibraryLoader.Loaded loaded = NvmlLibraryLoader.load(path);
    JnaNvml nvml = new JnaNvml(loaded.library(), loaded.source());
    int returnCode = loaded.library().nvmlInit_v2();
    if (returnCode != NvmlReturn.SUCCESS.value()) {
      NvmlException failure = nvml.exception(returnCode, "nvmlInit_v2");
      String detail = loaded.initFailureDetail();
      throw detail.isEmpty()
          ? failure
          : new NvmlException(
              failure.code(),
              "nvmlInit_v2",
              nvml.library.nvmlErrorString(returnCode) + ": " + detail);
    }
    return nvml;
  }

  NvmlLibrary library() {
    return library;
  }

  JnaProcessLists.RunningVersion runningVersion() {
    return runningVersion;
  }

  void runningVersion(JnaProcessLists.RunningVersion version) {
    runningVersion = version;
  }

  /**
   * Fails fast on a closed instance: another instance in this process may still hold NVML initialised (NVML counts
   * inits), and a closed one must not quietly keep working through it.
   */
  void ensureOpen(String function) {
    if (closed.get()) {
      throw exception(NvmlReturn.UNINITIALIZED.value(), function);
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  /** Throws the typed exception for any return code other than success. */
  void check(int returnCode, String function) {
    if (returnCode != NvmlReturn.SUCCESS.value()) {
      throw exception(returnCode, function);
    }
  }

  NvmlException exception(int returnCode, String function) {
    String message = library.nvmlErrorString(returnCode);
    return new NvmlException(
        NvmlReturn.fromValue(returnCode),
        function,
        message == null ? "NVML error " + returnCode : message);
  }

  /** {@link #exception(int, String)} with {@code detail} after NVML's description of the code. */
  NvmlException exception(int returnCode, String function, String detail) {
    String message = library.nvmlErrorString(returnCode);
    return new NvmlException(
        NvmlReturn.fromValue(returnCode),
        function,
        (message == null ? "NVML error " + returnCode : message) + ": " + detail);
  }

  @Override
  public String driverVersion() {
    ensureOpen("nvmlSystemGetDriverVersion");
    byte[] buffer = new byte[NvmlLibrary.DRIVER_VERSION_BUFFER_SIZE];
    check(library.nvmlSystemGetDriverVersion(buffer, buffer.length), "nvmlSystemGetDriverVersion");
    return NvmlStructs.cString(buffer);
  }

  @Override
  public CudaVersion cudaDriverVersion() {
    ensureOpen("nvmlSystemGetCudaDriverVersion");
    IntByReference version = new IntByReference();
    check(library.nvmlSystemGetCudaDriverVersion(version), "nvmlSystemGetCudaDriverVersion");
    return CudaVersion.fromNvml(version.getValue());
  }

  @Override
  public int deviceCount() {
    ensureOpen("nvmlDeviceGetCount_v2");
    IntByReference count = new IntByReference();
    check(library.nvmlDeviceGetCount_v2(count), "nvmlDeviceGetCount_v2");
    return count.getValue();
  }

  @Override
  public NvmlDevice device(int index) {
    ensureOpen("nvmlDeviceGetHandleByIndex_v2");
    PointerByReference handle = new PointerByReference();
    check(library.nvmlDeviceGetHandleByIndex_v2(index, handle), "nvmlDeviceGetHandleByIndex_v2");
    return new JnaDevice(this, index, handle.getValue());
  }

  @Override
  public NvmlDevice deviceByUuid(String uuid) {
    Objects.requireNonNull(uuid, "uuid");
    String function = "nvmlDeviceGetHandleByUUID";
    ensureOpen(function);
    PointerByReference found = new PointerByReference();
    check(library.nvmlDeviceGetHandleByUUID(uuid, found), function);
    Pointer handle = found.getValue();
    IntByReference isMig = new IntByReference();
    check(library.nvmlDeviceIsMigDeviceHandle(handle, isMig), "nvmlDeviceIsMigDeviceHandle");
    if (isMig.getValue() == 0) {
      return new JnaDevice(this, indexOf(handle), handle);
    }
    PointerByReference parentHandle = new PointerByReference();
    check(
        library.nvmlDeviceGetDeviceHandleFromMigDeviceHandle(handle, parentHandle),
        "nvmlDeviceGetDeviceHandleFromMigDeviceHandle");
    JnaDevice parent =
        new JnaDevice(this, indexOf(parentHandle.getValue()), parentHandle.getValue());
    return new JnaDevice(this, parent.slotOf(handle), handle, parent);
  }

  /** The index of the GPU behind {@code handle}, or -1; used for event handles that were never registered here. */
  int indexOf(Pointer handle) {
    int count = deviceCount();
    PointerByReference candidate = new PointerByReference();
    for (int index = 0; index < count; index++) {
      if (library.nvmlDeviceGetHandleByIndex_v2(index, candidate) == 0
          && handle.equals(candidate.getValue())) {
        return index;
      }
    }
    return -1;
  }

  @Override
  public NvmlEventSet createEventSet() {
    ensureOpen("nvmlEventSetCreate");
    PointerByReference set = new PointerByReference();
    check(library.nvmlEventSetCreate(set), "nvmlEventSetCreate");
    return new JnaEventSet(this, set.getValue());
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      check(library.nvmlShutdown(), "nvmlShutdown");
    }
  }

  @Override
  public String toString() {
    return "Nvml[" + source + (closed.get() ? ", closed]" : "]");
  }
}
