package io.kubeaccel.core.node;

import io.kubeaccel.core.inventory.DriverInfo;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.MigDevice;
import io.kubeaccel.core.inventory.Topology;
import io.kubeaccel.nvml.ComputeCapability;
import io.kubeaccel.nvml.CudaVersion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Hand-made inventories for node-level tests. */
final class Cards {

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private Cards() {}

  /** {@code count} H100s; card 1 is in MIG mode with one device {@code MIG-1a} when {@code mig}. */
  static Inventory h100s(int count, boolean mig) {
    List<Gpu> gpus = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      boolean inMig = mig && i == 1;
      gpus.add(new Gpu(
          i,
          "GPU-0000000" + i + "-0000-0000-0000-000000000000",
          "NVIDIA H100 80GB HBM3",
          i,
          "0000:1" + i + ":00.0",
          i < count / 2 ? 0 : 1,
          81559L << 20,
          new ComputeCapability(9, 0),
          inMig ? Gpu.MigState.ENABLED : Gpu.MigState.DISABLED,
          inMig ? List.of(new MigDevice("MIG-1a", 0, "1g.10gb", 9, 0, 10L << 30)) : List.of()));
    }
    return Inventory.of(
        gpus, Topology.unknown(count), new DriverInfo("550.54.15", new CudaVersion(12, 4)), T0);
  }
}
