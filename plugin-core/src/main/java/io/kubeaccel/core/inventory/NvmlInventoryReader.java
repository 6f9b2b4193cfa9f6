package io.kubeaccel.core.inventory;

import io.kubeaccel.nvml.MigMode;
import io.kubeaccel.nvml.NvLinkDeviceType;
import io.kubeaccel.nvml.Nvml;
import io.kubeaccel.nvml.NvmlDevice;
import io.kubeaccel.nvml.NvmlException;
import io.kubeaccel.nvml.NvmlReturn;
import io.kubeaccel.nvml.PciInfo;
import io.kubeaccel.nvml.TopologyLevel;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the node's GPUs and their topology from NVML once. Everything the agents decide on later comes from the
 * snapshot this produces, so no request path ever calls NVML (NVIDIA's plugin re-reads topology per call).
 */
public final class NvmlInventoryReader {

  /** NVML_NVLINK_MAX_LINKS of current headers; older GPUs answer NOT_SUPPORTED or INVALID_ARGUMENT earlier. */
  static final int MAX_NVLINKS = 18;

  private static final Logger log = LoggerFactory.getLogger(NvmlInventoryReader.class);

  private final NumaLocator numa;
  private final Clock clock;

  public NvmlInventoryReader(NumaLocator numa, Clock clock) {
    this.numa = numa;
    this.clock = clock;
  }

  /**
   * Reads every GPU, the PCIe level and NVLink count of every pair, and the driver versions.
   *
   * @throws NvmlException if NVML fails on a call the inventory cannot do without (UUID, PCI info, memory)
   */
  public Inventory read(Nvml nvml) {
    int count = nvml.deviceCount();
    List<NvmlDevice> devices = new ArrayList<>(count);
    List<Gpu> gpus = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      NvmlDevice device = nvml.device(i);
      devices.add(device);
      gpus.add(readGpu(device));
    }
    Topology topology = readTopology(devices);
    DriverInfo driver = new DriverInfo(nvml.driverVersion(), nvml.cudaDriverVersion());
    log.info(
        "inventory read gpus={} driver={} cuda={} topology={}",
        gpus.size(),
        driver.version(),
        driver.cudaVersion(),
        topology);
    return Inventory.of(gpus, topology, driver, clock.instant());
  }

  private Gpu readGpu(NvmlDevice device) {
    PciInfo pci = device.pciInfo();
    String address = pci.sysfsAddress();
    Gpu.MigState mig = migState(device);
    return new Gpu(
        device.index(),
        device.uuid(),
        device.name(),
        device.minorNumber(),
        address,
        numa.numaNode(address),
        device.memoryInfo().total(),
        device.cudaComputeCapability(),
        mig,
        mig == Gpu.MigState.ENABLED ? readMigDevices(device) : List.of());
  }

  /** The card's MIG devices by slot; empty slots (no GPU instance configured there) are skipped. */
  private static List<MigDevice> readMigDevices(NvmlDevice card) {
    List<MigDevice> devices = new ArrayList<>();
    for (int slot = 0; slot < card.maxMigDeviceCount(); slot++) {
      Optional<NvmlDevice> found = card.migDevice(slot);
      if (found.isEmpty()) {
        continue;
      }
      NvmlDevice mig = found.get();
      devices.add(new MigDevice(
          mig.uuid(),
          slot,
          mig.migProfile().toString(),
          mig.gpuInstanceId(),
          mig.computeInstanceId(),
          mig.memoryInfo().total()));
    }
    return devices;
  }

  private static Gpu.MigState migState(NvmlDevice device) {
    try {
      MigMode mode = device.migMode();
      return mode.current() ? Gpu.MigState.ENABLED : Gpu.MigState.DISABLED;
    } catch (NvmlException e) {
      if (e.code() == NvmlReturn.NOT_SUPPORTED) {
        return Gpu.MigState.UNSUPPORTED;
      }
      throw e;
    }
  }

  private static Topology readTopology(List<NvmlDevice> devices) {
    int n = devices.size();
    Map<String, Integer> positionByBusId = new HashMap<>();
    for (int i = 0; i < n; i++) {
      positionByBusId.put(devices.get(i).pciInfo().sysfsAddress(), i);
    }
    TopologyLevel[][] pcie = new TopologyLevel[n][n];
    int[][] nvlinks = new int[n][n];
    int[] switchLinks = new int[n];
    for (int i = 0; i < n; i++) {
      pcie[i][i] = TopologyLevel.INTERNAL;
      for (int j = i + 1; j < n; j++) {
        TopologyLevel level = commonAncestor(devices.get(i), devices.get(j));
        pcie[i][j] = level;
        pcie[j][i] = level;
      }
      countNvLinks(devices.get(i), i, positionByBusId, nvlinks, switchLinks);
    }
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        // Each side counted the links it sees; they agree on real hardware, keep the smaller if
        // they do not.
        int peer = Math.min(nvlinks[i][j], nvlinks[j][i]);
        int fabric = Math.min(switchLinks[i], switchLinks[j]);
        nvlinks[i][j] = nvlinks[j][i] = Math.max(peer, fabric);
      }
      nvlinks[i][i] = 0;
    }
    return new Topology(pcie, nvlinks);
  }

  private static TopologyLevel commonAncestor(NvmlDevice a, NvmlDevice b) {
    try {
      return a.topologyCommonAncestor(b);
    } catch (NvmlException e) {
      // Some virtualised platforms refuse topology queries; treat the pair as distant rather than
      // fail the node.
      log.warn("topology unknown a={} b={} reason=\"{}\"", a.index(), b.index(), e.getMessage());
      return TopologyLevel.SYSTEM;
    }
  }

  private static NvLinkDeviceType remoteType(NvmlDevice device, int link) {
    try {
      return device.nvLinkRemoteDeviceType(link);
    } catch (NvmlException e) {
      // Drivers before R450 lack this call; their links all go to peer GPUs, found by remote PCI
      // address.
      return NvLinkDeviceType.UNKNOWN;
    }
  }

  private static void countNvLinks(
      NvmlDevice device,
      int position,
      Map<String, Integer> positionByBusId,
      int[][] nvlinks,
      int[] switchLinks) {
    for (int link = 0; link < MAX_NVLINKS; link++) {
      try {
        if (!device.nvLinkActive(link)) {
          continue;
        }
        if (remoteType(device, link) == NvLinkDeviceType.SWITCH) {
          switchLinks[position]++;
          continue;
        }
        Integer peer = positionByBusId.get(device.nvLinkRemotePciInfo(link).sysfsAddress());
        if (peer != null && peer != position) {
          nvlinks[position][peer]++;
        }
      } catch (NvmlException e) {
        if (e.code() == NvmlReturn.INVALID_ARGUMENT) {
          return; // past the device's last link
        }
        if (e.code() != NvmlReturn.NOT_SUPPORTED) {
          log.warn(
              "nvlink unreadable gpu={} link={} reason=\"{}\"",
              device.index(),
              link,
              e.getMessage());
        }
      }
    }
  }
}
