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
  public static final class PciInfoStruct extends Structure {
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
  public static final class MemoryStruct extends Structure {
    public long total;
    public long free;
    public long used;
  }

  /** {@code nvmlEventData_t}: 32 bytes on LP64. */
  @Structure.FieldOrder({"device", "eventType", "eventData", "gpuInstanceId", "computeInstanceId"})
  public static final class EventDataStruct extends Structure {
    public Pointer device;
    public long eventType;
    public long eventData;
    public int gpuInstanceId;
    public int computeInstanceId;
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
