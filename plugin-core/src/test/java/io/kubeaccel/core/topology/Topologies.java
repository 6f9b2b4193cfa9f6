package io.kubeaccel.core.topology;

import io.kubeaccel.core.inventory.NumaLocator;
import io.kubeaccel.core.inventory.NvmlInventoryReader;
import io.kubeaccel.core.inventory.Topology;
import io.kubeaccel.nvml.Nvml;
import io.kubeaccel.nvml.TopologyLevel;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeNode;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Random;

/** Topologies of real machine kinds, written out as NVML reports them, and a way to read one through the fake NVML. */
final class Topologies {

  /**
   * DGX-1V: 8 V100s in the hybrid cube-mesh (NV1/NV2, six links per GPU), PCIe switch pairs 0-1, 2-3, 4-5, 6-7,
   * NUMA 0 = GPUs 0-3, NUMA 1 = GPUs 4-7.
   */
  static Topology dgx1CubeMesh() {
    return cubeMeshes(1, false);
  }

  /** HGX H100: 8 GPUs, 18 links each to the NVSwitch fabric, PCIe switch pairs, NUMA 0 = 0-3, 1 = 4-7. */
  static Topology hgxH100() {
    int[][] links = new int[8][8];
    linkAll(links, 0, 8, 18);
    return new Topology(levels(8, 2, 0, 4), links);
  }

  /** Eight A10s on PCIe only: switch pairs, NUMA 0 = 0-3, 1 = 4-7. */
  static Topology pcieTwoSocket8() {
    return new Topology(levels(8, 2, 0, 4), new int[8][8]);
  }

  /**
   * DGX-2: 16 V100s, all on one NVSwitch fabric (6 links each); PCIe switch pairs under two-level switch trees of
   * four, NUMA 0 = 0-7, 1 = 8-15.
   */
  static Topology dgx2NvSwitch16() {
    int[][] links = new int[16][16];
    linkAll(links, 0, 16, 6);
    return new Topology(levels(16, 2, 4, 8), links);
  }

  /**
   * Two DGX-1 cube-meshes in one node (no NVLink between them), 16 GPUs: switch pairs, quads behind one host bridge,
   * NUMA 0 = 0-7, 1 = 8-15.
   */
  static Topology twoCubeMeshes16() {
    return cubeMeshes(2, true);
  }

  /** A topology with every PCIe level and 0-3 NVLinks per pair at random: no structure for the search to lean on. */
  static Topology random(int gpus, long seed) {
    Random random = new Random(seed);
    TopologyLevel[] all = TopologyLevel.values();
    TopologyLevel[][] pcie = new TopologyLevel[gpus][gpus];
    int[][] links = new int[gpus][gpus];
    for (int a = 0; a < gpus; a++) {
      pcie[a][a] = TopologyLevel.INTERNAL;
      for (int b = a + 1; b < gpus; b++) {
        pcie[a][b] = pcie[b][a] = all[random.nextInt(all.length)];
        links[a][b] = links[b][a] = random.nextInt(3) == 0 ? random.nextInt(4) : 0;
      }
    }
    return new Topology(pcie, links);
  }

  /** The topology NvmlInventoryReader reads from a fake NVML node set up in {@code dir}. */
  static Topology readThroughFakeNvml(FakeInventory inventory, Path dir) {
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      return new NvmlInventoryReader(new NumaLocator(node.sysfsRoot()), Clock.systemUTC())
          .read(nvml)
          .topology();
    }
  }

  // The DGX-1V link table as nvidia-smi topo -m prints it: {gpu, gpu, links}.
  private static final int[][] CUBE_MESH_LINKS = {
    {0, 1, 1}, {0, 2, 1}, {0, 3, 2}, {0, 4, 2}, {1, 2, 2}, {1, 3, 1}, {1, 5, 2}, {2, 3, 2},
    {2, 6, 1}, {3, 7, 1}, {4, 5, 1}, {4, 6, 1}, {4, 7, 2}, {5, 6, 2}, {5, 7, 1}, {6, 7, 2}
  };

  private static Topology cubeMeshes(int meshes, boolean hostBridgeQuads) {
    int gpus = 8 * meshes;
    int[][] links = new int[gpus][gpus];
    for (int mesh = 0; mesh < meshes; mesh++) {
      int base = 8 * mesh;
      for (int[] link : CUBE_MESH_LINKS) {
        links[base + link[0]][base + link[1]] = links[base + link[1]][base + link[0]] = link[2];
      }
    }
    TopologyLevel[][] pcie = levels(gpus, 2, 0, gpus / 2);
    if (hostBridgeQuads) {
      for (int a = 0; a < gpus; a++) {
        for (int b = 0; b < gpus; b++) {
          if (a / 2 != b / 2 && a / 4 == b / 4) {
            pcie[a][b] = TopologyLevel.HOSTBRIDGE;
          }
        }
      }
    }
    return new Topology(pcie, links);
  }

  /**
   * Nested PCIe groups: GPUs in one group of {@code switchSize} share a single switch, of {@code treeSize} (0: none)
   * a multi-switch tree, of {@code socketSize} a CPU; the rest cross CPUs.
   */
  private static TopologyLevel[][] levels(int gpus, int switchSize, int treeSize, int socketSize) {
    TopologyLevel[][] pcie = new TopologyLevel[gpus][gpus];
    for (int a = 0; a < gpus; a++) {
      for (int b = 0; b < gpus; b++) {
        if (a == b) {
          pcie[a][b] = TopologyLevel.INTERNAL;
        } else if (a / switchSize == b / switchSize) {
          pcie[a][b] = TopologyLevel.SINGLE;
        } else if (treeSize > 0 && a / treeSize == b / treeSize) {
          pcie[a][b] = TopologyLevel.MULTIPLE;
        } else if (a / socketSize == b / socketSize) {
          pcie[a][b] = TopologyLevel.NODE;
        } else {
          pcie[a][b] = TopologyLevel.SYSTEM;
        }
      }
    }
    return pcie;
  }

  private static void linkAll(int[][] links, int from, int to, int count) {
    for (int a = from; a < to; a++) {
      for (int b = from; b < to; b++) {
        links[a][b] = a == b ? 0 : count;
      }
    }
  }

  private Topologies() {}
}
