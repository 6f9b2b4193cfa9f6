package io.kubeaccel.nvml;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;

/** An {@code nvmlDevice_t} handle of one {@link JnaNvml}; equal handles of the same instance are the same GPU. */
record JnaDevice(JnaNvml owner, int index, Pointer handle) implements NvmlDevice {

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
  public String toString() {
    return "NvmlDevice[index=" + index + "]";
  }
}
