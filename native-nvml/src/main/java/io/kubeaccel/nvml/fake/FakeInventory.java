package io.kubeaccel.nvml.fake;

import io.kubeaccel.nvml.NvmlReturn;
import io.kubeaccel.nvml.TopologyLevel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What a simulated node's NVML reports: the content of its {@code inventory.json} (format in native-nvml/README.md).
 * Immutable; validated on construction so that a bad inventory fails here, in Java, with a clear message rather than
 * later inside {@code nvmlInit}.
 *
 * @param driverVersion what {@code nvmlSystemGetDriverVersion} returns
 * @param cudaDriverVersion NVML's encoding, e.g. 12040 for CUDA 12.4
 * @param gpus in NVML enumeration order
 * @param nvlinkMatrix number of NVLinks between GPU i and j (symmetric, zero diagonal); empty for no NVLink at all
 * @param topologyMatrix NVML topology level numbers between GPU i and j; empty to derive them from board, PCIe switch
 *     and NUMA node
 * @param events XID errors the fake reports at fixed times after {@code nvmlInit}
 * @param failures NVML calls the fake makes fail
 */
public record FakeInventory(
    String driverVersion,
    int cudaDriverVersion,
    List<FakeGpu> gpus,
    List<List<Integer>> nvlinkMatrix,
    List<List<Integer>> topologyMatrix,
    List<XidEvent> events,
    List<Failure> failures) {

  /** NVML_NVLINK_MAX_LINKS: link indexes a GPU may have, peers and NVSwitch together. */
  public static final int MAX_NVLINKS = 18;

  /** An XID error on GPU {@code gpu} (index), {@code afterMs} milliseconds after the first {@code nvmlInit}. */
  public record XidEvent(long afterMs, int gpu, int xid) {}

  /**
   * {@code function} (an NVML symbol name, e.g. {@code nvmlDeviceGetMemoryInfo}) returns {@code code} for GPU {@code
   * gpu} (index, or {@link #ANY_GPU}) once it has succeeded {@code afterCalls} times since {@code nvmlInit}; a failure
   * of {@code nvmlInit_v2} makes initialisation fail.
   */
  public record Failure(String function, int gpu, NvmlReturn code, int afterCalls) {
    public static final int ANY_GPU = -1;

    public Failure {
      Objects.requireNonNull(function, "function");
      Objects.requireNonNull(code, "code");
      if (code == NvmlReturn.SUCCESS || afterCalls < 0 || gpu < ANY_GPU) {
        throw new IllegalArgumentException(
            "failure needs an error code, afterCalls >= 0 and a gpu index or ANY_GPU");
      }
    }
  }

  public FakeInventory {
    Objects.requireNonNull(driverVersion, "driverVersion");
    gpus = List.copyOf(gpus);
    nvlinkMatrix = copyMatrix(nvlinkMatrix, gpus.size(), "nvlinkMatrix");
    topologyMatrix = copyMatrix(topologyMatrix, gpus.size(), "topologyMatrix");
    events = List.copyOf(events);
    failures = List.copyOf(failures);
    validate(gpus, nvlinkMatrix, topologyMatrix, events, failures);
  }

  /** The default simulated node: 4x A100-SXM4-40GB; GPUs 0-1 on NUMA 0, 2-3 on NUMA 1; 2 NVLinks within each pair. */
  public static FakeInventory fourGpusTwoNumaNvlinkPairs() {
    return Presets.fourGpusTwoNumaNvlinkPairs();
  }

  /** A DGX-1 with 8x V100-SXM2-16GB in the hybrid cube-mesh (6 NVLinks per GPU), 2 NUMA nodes, PCIe switch pairs. */
  public static FakeInventory dgx1CubeMesh() {
    return Presets.dgx1CubeMesh();
  }

  /** An HGX H100: 8x H100 80GB HBM3, each with 18 NVLinks to the NVSwitch fabric, 2 NUMA nodes, PCIe switch pairs. */
  public static FakeInventory hgxH100NvSwitch() {
    return Presets.hgxH100NvSwitch();
  }

  /** {@code count} A10s on PCIe only: the first half on NUMA 0, the rest on NUMA 1, PCIe switch pairs, no NVLink. */
  public static FakeInventory pcieOnlyTwoSocket(int count) {
    return Presets.pcieOnlyTwoSocket(count);
  }

  /**
   * MIG, mixed strategy: 2x A100-SXM4-40GB in MIG mode (12 NVSwitch links each, NUMA 0, one PCIe switch). GPU 0 has a
   * 3g.20gb and two 1g.5gb MIG devices, GPU 1 seven 1g.5gb.
   */
  public static FakeInventory a100MigMixed() {
    return Presets.a100MigMixed();
  }

  /** MIG, single strategy: 2x A100-SXM4-40GB in MIG mode, each with seven 1g.5gb MIG devices; otherwise as above. */
  public static FakeInventory a100MigSingle() {
    return Presets.a100MigSingle();
  }

  /** A builder with the defaults: driver 550.54.15, CUDA 12.4, no GPUs. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this inventory, e.g. to add events or failures to a preset. */
  public Builder toBuilder() {
    Builder builder =
        new Builder().driverVersion(driverVersion).cudaDriverVersion(cudaDriverVersion);
    gpus.forEach(builder::gpu);
    for (int i = 0; i < nvlinkMatrix.size(); i++) {
      for (int j = i + 1; j < nvlinkMatrix.size(); j++) {
        builder.nvlinks(i, j, nvlinkMatrix.get(i).get(j));
      }
    }
    builder.topologyMatrix(topologyMatrix);
    events.forEach(e -> builder.xidEvent(e.afterMs(), e.gpu(), e.xid()));
    failures.forEach(builder::failure);
    return builder;
  }

  /** The GPU at {@code index}. */
  public FakeGpu gpu(int index) {
    return gpus.get(index);
  }

  /** Number of NVLinks between GPUs {@code i} and {@code j}. */
  public int nvlinks(int i, int j) {
    return nvlinkMatrix.isEmpty() ? 0 : nvlinkMatrix.get(i).get(j);
  }

  /** This inventory as the fake library reads it. */
  public String toJson() {
    return InventoryJson.write(this);
  }

  /** Collects GPUs, links, events and failures; {@link #build()} validates. */
  public static final class Builder {
    private String driverVersion = "550.54.15";
    private int cudaDriverVersion = 12040;
    private final List<FakeGpu> gpus = new ArrayList<>();
    private final List<int[]> nvlinks = new ArrayList<>();
    private List<List<Integer>> topologyMatrix = List.of();
    private final List<XidEvent> events = new ArrayList<>();
    private final List<Failure> failures = new ArrayList<>();

    private Builder() {}

    public Builder driverVersion(String driverVersion) {
      this.driverVersion = driverVersion;
      return this;
    }

    public Builder cudaDriverVersion(int cudaDriverVersion) {
      this.cudaDriverVersion = cudaDriverVersion;
      return this;
    }

    /** Adds the next GPU (index = number of GPUs added before). */
    public Builder gpu(FakeGpu gpu) {
      gpus.add(gpu);
      return this;
    }

    /** Sets the number of NVLinks between GPUs {@code i} and {@code j} (both directions). */
    public Builder nvlinks(int i, int j, int links) {
      nvlinks.add(new int[] {i, j, links});
      return this;
    }

    /** Explicit topology levels (NVML numbers, n x n); empty to derive them. */
    public Builder topologyMatrix(List<List<Integer>> matrix) {
      this.topologyMatrix = matrix;
      return this;
    }

    public Builder xidEvent(long afterMs, int gpu, int xid) {
      events.add(new XidEvent(afterMs, gpu, xid));
      return this;
    }

    public Builder failure(Failure failure) {
      failures.add(failure);
      return this;
    }

    public FakeInventory build() {
      List<List<Integer>> matrix = List.of();
      if (!nvlinks.isEmpty()) {
        int n = gpus.size();
        Integer[][] cells = new Integer[n][n];
        for (Integer[] row : cells) {
          Arrays.fill(row, 0);
        }
        for (int[] link : nvlinks) {
          if (link[0] < 0 || link[0] >= n || link[1] < 0 || link[1] >= n) {
            throw new IllegalArgumentException(
                "nvlinks between unknown GPUs " + link[0] + " and " + link[1]);
          }
          cells[link[0]][link[1]] = link[2];
          cells[link[1]][link[0]] = link[2];
        }
        matrix = Arrays.stream(cells).map(List::of).toList();
      }
      return new FakeInventory(
          driverVersion, cudaDriverVersion, gpus, matrix, topologyMatrix, events, failures);
    }
  }

  private static List<List<Integer>> copyMatrix(List<List<Integer>> matrix, int n, String what) {
    if (matrix == null || matrix.isEmpty()) {
      return List.of();
    }
    if (matrix.size() != n || matrix.stream().anyMatch(row -> row.size() != n)) {
      throw new IllegalArgumentException(
          what + " must be " + n + " x " + n + " (one row and column per GPU)");
    }
    return matrix.stream().map(List::copyOf).toList();
  }

  private static void validate(
      List<FakeGpu> gpus,
      List<List<Integer>> nvlinks,
      List<List<Integer>> topology,
      List<XidEvent> events,
      List<Failure> failures) {
    Set<String> uuids = new HashSet<>();
    Set<String> busIds = new HashSet<>();
    for (FakeGpu gpu : gpus) {
      if (!uuids.add(gpu.uuid().toLowerCase(Locale.ROOT)) || !busIds.add(gpu.sysfsAddress())) {
        throw new IllegalArgumentException(
            "duplicate uuid or pciBusId: " + gpu.uuid() + " " + gpu.pciBusId());
      }
    }
    for (FakeGpu gpu : gpus) {
      for (FakeMigDevice mig : gpu.migDevices()) {
        // One namespace: nvmlDeviceGetHandleByUUID takes GPU and MIG device uuids alike.
        if (!uuids.add(mig.uuid().toLowerCase(Locale.ROOT))) {
          throw new IllegalArgumentException("duplicate uuid: " + mig.uuid());
        }
      }
    }
    for (int i = 0; i < nvlinks.size(); i++) {
      int total = gpus.get(i).nvswitchLinks();
      for (int j = 0; j < nvlinks.size(); j++) {
        int links = nvlinks.get(i).get(j);
        if (links < 0 || !nvlinks.get(j).get(i).equals(links) || (i == j && links != 0)) {
          throw new IllegalArgumentException(
              "nvlinkMatrix must be symmetric, non-negative, zero on the diagonal");
        }
        total += links;
      }
      if (total > MAX_NVLINKS) {
        throw new IllegalArgumentException(
            "GPU " + i + " has " + total + " NVLinks, more than " + MAX_NVLINKS);
      }
    }
    topology.forEach(row -> row.forEach(TopologyLevel::fromNvml));
    for (XidEvent event : events) {
      if (event.gpu() < 0 || event.gpu() >= gpus.size() || event.afterMs() < 0 || event.xid() < 0) {
        throw new IllegalArgumentException(
            "event for unknown GPU or with negative time/xid: " + event);
      }
    }
    for (Failure failure : failures) {
      if (failure.gpu() >= gpus.size()) {
        throw new IllegalArgumentException("failure for unknown GPU: " + failure);
      }
    }
  }
}
