package io.kubeaccel.core.inventory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Finds the NUMA node of a PCI device from sysfs ({@code <sysRoot>/bus/pci/devices/<address>/numa_node}), as the
 * kubelet's topology manager does. NVML does not report it on older drivers; sysfs always does.
 */
public final class NumaLocator {

  private final Path sysRoot;

  /** @param sysRoot the sysfs mount, {@code /sys} on a real node */
  public NumaLocator(Path sysRoot) {
    this.sysRoot = sysRoot;
  }

  /**
   * The NUMA node of the PCI device at {@code sysfsAddress} (e.g. {@code 0000:07:00.0}); -1 when the platform has no
   * NUMA information or the file cannot be read (a single-socket machine, a VM).
   */
  public int numaNode(String sysfsAddress) {
    Path file = sysRoot.resolve("bus/pci/devices").resolve(sysfsAddress).resolve("numa_node");
    try {
      int node = Integer.parseInt(Files.readString(file).trim());
      return node < 0 ? -1 : node;
    } catch (NoSuchFileException | NumberFormatException e) {
      return -1;
    } catch (IOException e) {
      return -1;
    }
  }
}
