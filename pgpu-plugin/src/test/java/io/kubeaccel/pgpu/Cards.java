package io.kubeaccel.pgpu;

import io.kubeaccel.core.inventory.DeviceNodes;
import io.kubeaccel.core.inventory.DriverInfo;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.MigDevice;
import io.kubeaccel.core.inventory.Topology;
import io.kubeaccel.core.spi.AdvertisedDevice;
import io.kubeaccel.core.spi.AllocationRequest;
import io.kubeaccel.core.spi.ContainerAllocation;
import io.kubeaccel.core.spi.ModePlugin;
import io.kubeaccel.nvml.ComputeCapability;
import io.kubeaccel.nvml.CudaVersion;
import io.kubeaccel.pgpu.config.PgpuConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Hand-made inventories and a way to drive the mode's plugins without sockets. */
final class Cards {

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final DeviceNodes NODES = new DeviceNodes(
      Path.of("/dev"),
      List.of("/dev/nvidiactl", "/dev/nvidia-uvm"),
      Map.of("gpu1/gi3/access", 30, "gpu1/gi3/ci0/access", 31));

  private Cards() {}

  static Gpu gpu(int index, int minor, int numa, Gpu.MigState mig) {
    return gpu(index, minor, numa, mig, List.of());
  }

  static Gpu gpu(int index, int minor, int numa, Gpu.MigState mig, List<MigDevice> migDevices) {
    return new Gpu(
        index,
        "GPU-" + index,
        "NVIDIA A100-SXM4-40GB",
        minor,
        "0000:0" + index + ":00.0",
        numa,
        40L << 30,
        new ComputeCapability(8, 0),
        mig,
        migDevices);
  }

  /** {@code count} healthy non-MIG cards, minor = index, NUMA 0 for the first half. */
  static Inventory cards(int count) {
    Gpu[] gpus = new Gpu[count];
    for (int i = 0; i < count; i++) {
      gpus[i] = gpu(i, i, i < count / 2 ? 0 : 1, Gpu.MigState.DISABLED);
    }
    return inventory(gpus);
  }

  static Inventory inventory(Gpu... gpus) {
    return Inventory.of(
        List.of(gpus),
        Topology.unknown(gpus.length),
        new DriverInfo("550.54.15", new CudaVersion(12, 4)),
        T0);
  }

  static ModePlugin plugin(PgpuConfig config, Inventory inventory, String resource) {
    return PgpuMode.plugins(config, NODES, inventory).stream()
        .filter(p -> p.resourceName().equals(resource))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no plugin for " + resource));
  }

  /** Allocate as the core would call it: the advertised devices for the IDs, in request order. */
  static ContainerAllocation allocate(ModePlugin plugin, Inventory inventory, String... ids) {
    List<AdvertisedDevice> advertised = plugin.devices(inventory);
    List<AdvertisedDevice> chosen = List.of(ids).stream()
        .map(
            id -> advertised.stream().filter(d -> d.id().equals(id)).findFirst().orElseThrow())
        .toList();
    return plugin.allocate(new AllocationRequest(List.of(ids), chosen, inventory));
  }
}
