package io.kubeaccel.nvml;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import java.nio.charset.StandardCharsets;

/**
 * JNA mirrors of the nvml.h structures the binding passes by pointer. Layouts are byte-exact with the C headers
 * (checked against the fake library's own {@code sizeof} in tests). JNA requires the nested classes and their fields
 * to be public; the enclosing class keeps them out of the package's API.
 */
final class NvmlStructs {

  /** Gives tests JNA's field offsets, to compare with the C library's {@code offsetof}. */
  public abstract static class LayoutStruct extends Structure {
    int offsetOf(String field) {
      return fieldOffset(field);
    }
  }

  /** {@code nvmlPciInfo_t} version 3: 68 bytes. */
  @Structure.FieldOrder({
    "busIdLegacy",
    "domain",
    "bus",
    "device",
    "pciDeviceId",
    "pciSubSystemId",
    "busId"
  })
  public static final class PciInfoStruct extends LayoutStruct {
    public byte[] busIdLegacy = new byte[16];
    public int domain;
    public int bus;
    public int device;
    public int pciDeviceId;
    public int pciSubSystemId;
    public byte[] busId = new byte[32];

    PciInfo toPciInfo() {
      return new PciInfo(
          cString(busId), cString(busIdLegacy), domain, bus, device, pciDeviceId, pciSubSystemId);
    }
  }

  /** {@code nvmlMemory_t}: three unsigned long longs, 24 bytes. */
  @Structure.FieldOrder({"total", "free", "used"})
  public static final class MemoryStruct extends LayoutStruct {
    public long total;
    public long free;
    public long used;
  }

  /** {@code nvmlEventData_t}: 32 bytes on LP64. */
  @Structure.FieldOrder({"device", "eventType", "eventData", "gpuInstanceId", "computeInstanceId"})
  public static final class EventDataStruct extends LayoutStruct {
    public Pointer device;
    public long eventType;
    public long eventData;
    public int gpuInstanceId;
    public int computeInstanceId;
  }

  /** {@code nvmlUtilization_t}: two unsigned ints, 8 bytes. */
  @Structure.FieldOrder({"gpu", "memory"})
  public static final class UtilizationStruct extends LayoutStruct {
    public int gpu;
    public int memory;
  }

  /**
   * {@code nvmlProcessInfo_t} (v2 layout, used by {@code _v3} and {@code _v2}): 24 bytes, 4 of padding after {@code
   * pid}.
   */
  @Structure.FieldOrder({"pid", "usedGpuMemory", "gpuInstanceId", "computeInstanceId"})
  public static final class ProcessInfoStruct extends LayoutStruct {
    public int pid;
    public long usedGpuMemory;
    public int gpuInstanceId;
    public int computeInstanceId;

    ProcessInfo toProcessInfo() {
      return new ProcessInfo(pid, usedGpuMemory, gpuInstanceId, computeInstanceId);
    }
  }

  /**
   * {@code nvmlProcessInfo_v1_t}, filled by the unversioned {@code nvmlDeviceGetComputeRunningProcesses} of drivers
   * before R470: 16 bytes, 4 of padding after {@code pid}, no MIG instance ids.
   */
  @Structure.FieldOrder({"pid", "usedGpuMemory"})
  public static final class ProcessInfoV1Struct extends LayoutStruct {
    public int pid;
    public long usedGpuMemory;

    ProcessInfo toProcessInfo() {
      return new ProcessInfo(pid, usedGpuMemory, ProcessInfo.NO_INSTANCE, ProcessInfo.NO_INSTANCE);
    }
  }

  /** {@code nvmlProcessUtilizationSample_t}: 32 bytes, 4 of padding after {@code pid}. */
  @Structure.FieldOrder({"pid", "timeStamp", "smUtil", "memUtil", "encUtil", "decUtil"})
  public static final class ProcessUtilizationSampleStruct extends LayoutStruct {
    public int pid;
    public long timeStamp;
    public int smUtil;
    public int memUtil;
    public int encUtil;
    public int decUtil;

    ProcessUtilizationSample toSample() {
      return new ProcessUtilizationSample(pid, timeStamp, smUtil, memUtil, encUtil, decUtil);
    }
  }

  /** {@code nvmlDeviceAttributes_t}: eight unsigned ints and an unsigned long long, 40 bytes. */
  @Structure.FieldOrder({
    "multiprocessorCount",
    "sharedCopyEngineCount",
    "sharedDecoderCount",
    "sharedEncoderCount",
    "sharedJpegCount",
    "sharedOfaCount",
    "gpuInstanceSliceCount",
    "computeInstanceSliceCount",
    "memorySizeMB"
  })
  public static final class DeviceAttributesStruct extends LayoutStruct {
    public int multiprocessorCount;
    public int sharedCopyEngineCount;
    public int sharedDecoderCount;
    public int sharedEncoderCount;
    public int sharedJpegCount;
    public int sharedOfaCount;
    public int gpuInstanceSliceCount;
    public int computeInstanceSliceCount;
    public long memorySizeMB;

    MigAttributes toMigAttributes() {
      return new MigAttributes(
          multiprocessorCount,
          sharedCopyEngineCount,
          sharedDecoderCount,
          sharedEncoderCount,
          sharedJpegCount,
          sharedOfaCount,
          gpuInstanceSliceCount,
          computeInstanceSliceCount,
          memorySizeMB);
    }
  }

  /** A NUL-terminated C string in a fixed buffer; NVML writes ASCII (ids, names, versions). */
  static String cString(byte[] buffer) {
    int length = 0;
    while (length < buffer.length && buffer[length] != 0) {
      length++;
    }
    return new String(buffer, 0, length, StandardCharsets.UTF_8);
  }

  private NvmlStructs() {}
}
