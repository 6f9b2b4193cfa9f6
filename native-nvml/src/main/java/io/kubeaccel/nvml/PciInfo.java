package io.kubeaccel.nvml;

/**
 * PCI identity of a device ({@code nvmlPciInfo_t}, version 3).
 *
 * @param busId the domain:bus:device.function id as NVML prints it, e.g. {@code 00000000:07:00.0}
 * @param busIdLegacy the short form, e.g. {@code 0000:07:00.0}
 * @param pciDeviceId combined device and vendor id, e.g. {@code 0x233010DE}
 * @param pciSubSystemId combined subsystem and subsystem-vendor id
 */
public record PciInfo(
    String busId,
    String busIdLegacy,
    int domain,
    int bus,
    int device,
    int pciDeviceId,
    int pciSubSystemId) {

  /**
   * The bus id in the form Linux uses under {@code /sys/bus/pci/devices}: a 4-digit domain, lower case, e.g. {@code
   * 0000:07:00.0}. The function is taken from {@link #busId} (NVML has no field for it; GPUs are function 0).
   */
  public String sysfsAddress() {
    int dot = busId.lastIndexOf('.');
    String function = dot >= 0 && dot == busId.length() - 2 ? busId.substring(dot + 1) : "0";
    return String.format("%04x:%02x:%02x.%s", domain, bus, device, function);
  }
}
