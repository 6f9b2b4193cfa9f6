package io.kubeaccel.nvml;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@code nvmlDevice_t} handle of one {@link JnaNvml}; equal handles of the same instance are the same device.
 *
 * @param knownParent for a MIG device, the GPU it was enumerated from (null for GPUs)
 */
record JnaDevice(JnaNvml owner, int index, Pointer handle, JnaDevice knownParent)
    implements NvmlDevice {
  /** {@code NVML_TEMPERATURE_GPU}: the GPU die sensor. */
  private static final int NVML_TEMPERATURE_GPU = 0;

  /** A whole GPU. */
  JnaDevice(JnaNvml owner, int index, Pointer handle) {
    this(owner, index, handle, null);
  }

  private NvmlLibrary library(String function) {
    owner.ensureOpen(function);
    return owner.library();
  }

  @Override
  public String uuid() {
    byte[] buffer = new byte[NvmlLibrary.UUID_BUFFER_SIZE];
    owner.check(
        library("nvmlDeviceGetUUID").nvmlDeviceGetUUID(handle, buffer, buffer.length),
        "nvmlDeviceGetUUID");
    return NvmlStructs.cString(buffer);
  }

  @Override
  public String name() {
    byte[] buffer = new byte[NvmlLibrary.NAME_BUFFER_SIZE];
    owner.check(
        library("nvmlDeviceGetName").nvmlDeviceGetName(handle, buffer, buffer.length),
        "nvmlDeviceGetName");
    return NvmlStructs.cString(buffer);
  }

  @Override
  public int minorNumber() {
    IntByReference minor = new IntByReference();
    String function = "nvmlDeviceGetMinorNumber";
    owner.check(library(function).nvmlDeviceGetMinorNumber(handle, minor), function);
    return minor.getValue();
  }

  @Override
  public PciInfo pciInfo() {
    NvmlStructs.PciInfoStruct pci = new NvmlStructs.PciInfoStruct();
    String function = "nvmlDeviceGetPciInfo_v3";
    owner.check(library(function).nvmlDeviceGetPciInfo_v3(handle, pci), function);
    return pci.toPciInfo();
  }

  @Override
  public MemoryInfo memoryInfo() {
    NvmlStructs.MemoryStruct memory = new NvmlStructs.MemoryStruct();
    String function = "nvmlDeviceGetMemoryInfo";
    owner.check(library(function).nvmlDeviceGetMemoryInfo(handle, memory), function);
    return new MemoryInfo(memory.total, memory.free, memory.used);
  }

  @Override
  public ComputeCapability cudaComputeCapability() {
    IntByReference major = new IntByReference();
    IntByReference minor = new IntByReference();
    String function = "nvmlDeviceGetCudaComputeCapability";
    owner.check(
        library(function).nvmlDeviceGetCudaComputeCapability(handle, major, minor), function);
    return new ComputeCapability(major.getValue(), minor.getValue());
  }

  @Override
  public MigMode migMode() {
    IntByReference current = new IntByReference();
    IntByReference pending = new IntByReference();
    String function = "nvmlDeviceGetMigMode";
    owner.check(library(function).nvmlDeviceGetMigMode(handle, current, pending), function);
    // NVML_DEVICE_MIG_ENABLE is 1, NVML_DEVICE_MIG_DISABLE 0.
    return new MigMode(current.getValue() == 1, pending.getValue() == 1);
  }

  @Override
  public TopologyLevel topologyCommonAncestor(NvmlDevice other) {
    if (!(other instanceof JnaDevice peer) || peer.owner != owner) {
      throw new IllegalArgumentException("not a device of this Nvml instance: " + other);
    }
    IntByReference level = new IntByReference();
    String function = "nvmlDeviceGetTopologyCommonAncestor";
    owner.check(
        library(function).nvmlDeviceGetTopologyCommonAncestor(handle, peer.handle, level),
        function);
    return TopologyLevel.fromNvml(level.getValue());
  }

  @Override
  public boolean nvLinkActive(int link) {
    IntByReference active = new IntByReference();
    String function = "nvmlDeviceGetNvLinkState";
    owner.check(library(function).nvmlDeviceGetNvLinkState(handle, link, active), function);
    return active.getValue() == 1; // NVML_FEATURE_ENABLED
  }

  @Override
  public PciInfo nvLinkRemotePciInfo(int link) {
    NvmlStructs.PciInfoStruct pci = new NvmlStructs.PciInfoStruct();
    String function = "nvmlDeviceGetNvLinkRemotePciInfo_v2";
    owner.check(library(function).nvmlDeviceGetNvLinkRemotePciInfo_v2(handle, link, pci), function);
    return pci.toPciInfo();
  }

  @Override
  public NvLinkDeviceType nvLinkRemoteDeviceType(int link) {
    IntByReference type = new IntByReference();
    String function = "nvmlDeviceGetNvLinkRemoteDeviceType";
    owner.check(
        library(function).nvmlDeviceGetNvLinkRemoteDeviceType(handle, link, type), function);
    return NvLinkDeviceType.fromNvml(type.getValue());
  }

  @Override
  public long supportedEventTypes() {
    LongByReference types = new LongByReference();
    String function = "nvmlDeviceGetSupportedEventTypes";
    owner.check(library(function).nvmlDeviceGetSupportedEventTypes(handle, types), function);
    return types.getValue();
  }

  @Override
  public int maxMigDeviceCount() {
    IntByReference count = new IntByReference();
    String function = "nvmlDeviceGetMaxMigDeviceCount";
    owner.check(library(function).nvmlDeviceGetMaxMigDeviceCount(handle, count), function);
    return count.getValue();
  }

  @Override
  public Optional<NvmlDevice> migDevice(int index) {
    PointerByReference mig = new PointerByReference();
    String function = "nvmlDeviceGetMigDeviceHandleByIndex";
    int returnCode = library(function).nvmlDeviceGetMigDeviceHandleByIndex(handle, index, mig);
    if (returnCode == NvmlReturn.NOT_FOUND.value()) {
      return Optional.empty();
    }
    owner.check(returnCode, function);
    return Optional.of(new JnaDevice(owner, index, mig.getValue(), this));
  }

  @Override
  public List<NvmlDevice> migDevices() {
    List<NvmlDevice> devices = new ArrayList<>();
    for (int slot = 0, slots = maxMigDeviceCount(); slot < slots; slot++) {
      migDevice(slot).ifPresent(devices::add);
    }
    return List.copyOf(devices);
  }

  /** The slot of MIG device {@code mig} under this GPU, or -1. */
  int slotOf(Pointer mig) {
    PointerByReference candidate = new PointerByReference();
    for (int slot = 0, slots = maxMigDeviceCount(); slot < slots; slot++) {
      if (owner.library().nvmlDeviceGetMigDeviceHandleByIndex(handle, slot, candidate) == 0
          && mig.equals(candidate.getValue())) {
        return slot;
      }
    }
    return -1;
  }

  @Override
  public boolean isMigDevice() {
    IntByReference isMig = new IntByReference();
    String function = "nvmlDeviceIsMigDeviceHandle";
    owner.check(library(function).nvmlDeviceIsMigDeviceHandle(handle, isMig), function);
    return isMig.getValue() != 0;
  }

  @Override
  public NvmlDevice parent() {
    PointerByReference parent = new PointerByReference();
    String function = "nvmlDeviceGetDeviceHandleFromMigDeviceHandle";
    owner.check(
        library(function).nvmlDeviceGetDeviceHandleFromMigDeviceHandle(handle, parent), function);
    if (knownParent != null && knownParent.handle.equals(parent.getValue())) {
      return knownParent;
    }
    return new JnaDevice(owner, owner.indexOf(parent.getValue()), parent.getValue());
  }

  @Override
  public int gpuInstanceId() {
    IntByReference id = new IntByReference();
    String function = "nvmlDeviceGetGpuInstanceId";
    owner.check(library(function).nvmlDeviceGetGpuInstanceId(handle, id), function);
    return id.getValue();
  }

  @Override
  public int computeInstanceId() {
    IntByReference id = new IntByReference();
    String function = "nvmlDeviceGetComputeInstanceId";
    owner.check(library(function).nvmlDeviceGetComputeInstanceId(handle, id), function);
    return id.getValue();
  }

  @Override
  public MigAttributes attributes() {
    NvmlStructs.DeviceAttributesStruct attributes = new NvmlStructs.DeviceAttributesStruct();
    String function = "nvmlDeviceGetAttributes_v2";
    owner.check(library(function).nvmlDeviceGetAttributes_v2(handle, attributes), function);
    return attributes.toMigAttributes();
  }

  @Override
  public MigProfile migProfile() {
    MigAttributes attributes = attributes();
    return MigProfile.of(attributes, parent().memoryInfo().total());
  }

  @Override
  public ComputeMode computeMode() {
    IntByReference mode = new IntByReference();
    String function = "nvmlDeviceGetComputeMode";
    owner.check(library(function).nvmlDeviceGetComputeMode(handle, mode), function);
    return ComputeMode.fromNvml(mode.getValue());
  }

  @Override
  public void setComputeMode(ComputeMode mode) {
    Objects.requireNonNull(mode, "mode");
    String function = "nvmlDeviceSetComputeMode";
    owner.check(library(function).nvmlDeviceSetComputeMode(handle, mode.nvmlValue()), function);
  }

  @Override
  public Utilization utilizationRates() {
    NvmlStructs.UtilizationStruct utilization = new NvmlStructs.UtilizationStruct();
    String function = "nvmlDeviceGetUtilizationRates";
    owner.check(library(function).nvmlDeviceGetUtilizationRates(handle, utilization), function);
    return new Utilization(utilization.gpu, utilization.memory);
  }

  @Override
  public List<ProcessInfo> computeRunningProcesses() {
    owner.ensureOpen(JnaProcessLists.RUNNING);
    return JnaProcessLists.running(owner, handle);
  }

  @Override
  public List<ProcessUtilizationSample> processUtilization(long lastSeenTimeStamp) {
    owner.ensureOpen(JnaProcessLists.UTILIZATION);
    return JnaProcessLists.utilization(owner, handle, lastSeenTimeStamp);
  }

  @Override
  public int temperatureCelsius() {
    IntByReference temperature = new IntByReference();
    String function = "nvmlDeviceGetTemperature";
    owner.check(
        library(function).nvmlDeviceGetTemperature(handle, NVML_TEMPERATURE_GPU, temperature),
        function);
    return temperature.getValue();
  }

  @Override
  public int powerUsageMilliwatts() {
    IntByReference power = new IntByReference();
    String function = "nvmlDeviceGetPowerUsage";
    owner.check(library(function).nvmlDeviceGetPowerUsage(handle, power), function);
    return power.getValue();
  }

  @Override
  public String toString() {
    return knownParent == null
        ? "NvmlDevice[index=" + index + "]"
        : "NvmlDevice[index=" + knownParent.index + ", mig=" + index + "]";
  }
}
