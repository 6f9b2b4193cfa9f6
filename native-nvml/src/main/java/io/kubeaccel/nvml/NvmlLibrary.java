package io.kubeaccel.nvml;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The C symbols of libnvidia-ml.so.1 the binding uses, declared exactly as in nvml.h: every function returns an
 * {@code nvmlReturn_t}; {@code unsigned int} maps to {@code int}, {@code unsigned long long} to {@code long} and
 * handles ({@code nvmlDevice_t}, {@code nvmlEventSet_t}) to {@link Pointer}.
 */
interface NvmlLibrary extends Library {
  /** NVML_DEVICE_UUID_V2_BUFFER_SIZE. */
  int UUID_BUFFER_SIZE = 96;
  /** NVML_DEVICE_NAME_V2_BUFFER_SIZE. */
  int NAME_BUFFER_SIZE = 96;
  /** NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE. */
  int DRIVER_VERSION_BUFFER_SIZE = 80;

  int nvmlInit_v2();

  int nvmlShutdown();

  String nvmlErrorString(int result);

  int nvmlSystemGetDriverVersion(byte[] version, int length);

  int nvmlSystemGetCudaDriverVersion(IntByReference cudaDriverVersion);

  int nvmlDeviceGetCount_v2(IntByReference deviceCount);

  int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

  int nvmlDeviceGetHandleByUUID(String uuid, PointerByReference device);

  int nvmlDeviceGetUUID(Pointer device, byte[] uuid, int length);

  int nvmlDeviceGetName(Pointer device, byte[] name, int length);

  int nvmlDeviceGetMinorNumber(Pointer device, IntByReference minorNumber);

  int nvmlDeviceGetPciInfo_v3(Pointer device, NvmlStructs.PciInfoStruct pci);

  int nvmlDeviceGetMemoryInfo(Pointer device, NvmlStructs.MemoryStruct memory);

  int nvmlDeviceGetCudaComputeCapability(
      Pointer device, IntByReference major, IntByReference minor);

  int nvmlDeviceGetMigMode(Pointer device, IntByReference currentMode, IntByReference pendingMode);

  int nvmlDeviceGetTopologyCommonAncestor(
      Pointer device1, Pointer device2, IntByReference pathInfo);

  int nvmlDeviceGetNvLinkState(Pointer device, int link, IntByReference isActive);

  int nvmlDeviceGetNvLinkRemotePciInfo_v2(Pointer device, int link, NvmlStructs.PciInfoStruct pci);

  int nvmlDeviceGetNvLinkRemoteDeviceType(
      Pointer device, int link, IntByReference pNvLinkDeviceType);

  int nvmlDeviceGetMaxMigDeviceCount(Pointer device, IntByReference count);

  int nvmlDeviceGetMigDeviceHandleByIndex(Pointer device, int index, PointerByReference migDevice);

  int nvmlDeviceIsMigDeviceHandle(Pointer device, IntByReference isMigDevice);

  int nvmlDeviceGetDeviceHandleFromMigDeviceHandle(Pointer migDevice, PointerByReference device);

  int nvmlDeviceGetGpuInstanceId(Pointer device, IntByReference id);

  int nvmlDeviceGetComputeInstanceId(Pointer device, IntByReference id);

  int nvmlDeviceGetAttributes_v2(Pointer device, NvmlStructs.DeviceAttributesStruct attributes);

  int nvmlDeviceGetComputeMode(Pointer device, IntByReference mode);

  int nvmlDeviceSetComputeMode(Pointer device, int mode);

  int nvmlDeviceGetUtilizationRates(Pointer device, NvmlStructs.UtilizationStruct utilization);

  /** {@code infos}: null, or an array from {@code Structure.toArray} (contiguous, as C expects). */
  int nvmlDeviceGetComputeRunningProcesses_v3(
      Pointer device, IntByReference infoCount, NvmlStructs.ProcessInfoStruct[] infos);

  /** R470's newest version: the same struct as {@code _v3}. Drivers before R510 lack {@code _v3}. */
  int nvmlDeviceGetComputeRunningProcesses_v2(
      Pointer device, IntByReference infoCount, NvmlStructs.ProcessInfoStruct[] infos);

  /** Drivers before R470: {@code nvmlProcessInfo_v1_t} entries, without MIG instance ids. */
  int nvmlDeviceGetComputeRunningProcesses(
      Pointer device, IntByReference infoCount, NvmlStructs.ProcessInfoV1Struct[] infos);

  /** {@code utilization}: null, or an array from {@code Structure.toArray}. */
  int nvmlDeviceGetProcessUtilization(
      Pointer device,
      NvmlStructs.ProcessUtilizationSampleStruct[] utilization,
      IntByReference processSamplesCount,
      long lastSeenTimeStamp);

  int nvmlDeviceGetTemperature(Pointer device, int sensorType, IntByReference temp);

  int nvmlDeviceGetPowerUsage(Pointer device, IntByReference power);

  int nvmlDeviceGetSupportedEventTypes(Pointer device, LongByReference eventTypes);

  int nvmlEventSetCreate(PointerByReference set);

  int nvmlDeviceRegisterEvents(Pointer device, long eventTypes, Pointer set);

  int nvmlEventSetWait_v2(Pointer set, NvmlStructs.EventDataStruct data, int timeoutMs);

  int nvmlEventSetFree(Pointer set);
}
