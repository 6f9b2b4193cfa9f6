package io.kubeaccel.benchmarks;

import io.kubeaccel.core.inventory.Topology;
import io.kubeaccel.nvml.TopologyLevel;
import java.util.Random;

/** The machines the benchmarks choose cards on, written out as NVML reports them. */
final class BenchmarkTopologies {

  // The DGX-1V hybrid cube-mesh as nvidia-smi topo -m prints it: {gpu, gpu, links}.
  private static final int[][] CUBE_MESH_LINKS = {
    {0, 1, 1}, {0, 2, 1}, {0, 3, 2}, {0, 4, 2}, {1, 2, 2}, {1, 3, 1}, {1, 5, 2}, {2, 3, 2},
    {2, 6, 1}, {3, 7, 1}, {4, 5, 1}, {4, 6, 1}, {4, 7, 2}, {5, 6, 2}, {5, 7, 1}, {6, 7, 2}
  };

  /** DGX-1V: 8 V100s in the cube-mesh, PCIe switch pairs, NUMA 0 = 0-3, 1 = 4-7. */
  static Topology dgx1CubeMesh() {
    return cubeMeshes(1);
  }

  /** Two cube-meshes in one 16-GPU node, no NVLink between them; NUMA 0 = 0-7, 1 = 8-15. */
  static Topology twoCubeMeshes16() {
    return cubeMeshes(2);
  }

  /** DGX-2: 16 V100s on one NVSwitch fabric (6 links each); switch pairs in trees of four; NUMA 0 = 0-7, 1 = 8-15. */
  static Topology dgx2NvSwitch16() {
    int[][] links = new int[16][16];
    for (int a = 0; a < 16; a++) {
      for (int b = 0; b < 16; b++) {
        links[a][b] = a == b ? 0 : 6;
      }
    }
    return new Topology(levels(16, 4), links);
  }

  /** 16 GPUs with random levels and links: no structure for the search's bound to lean on. */
  static Topology random16(long seed) {
    Random random = new Random(seed);
    TopologyLevel[] all = TopologyLevel.values();
    TopologyLevel[][] pcie = new TopologyLevel[16][16];
    int[][] links = new int[16][16];
    for (int a = 0; a < 16; a++) {
      pcie[a][a] = TopologyLevel.INTERNAL;
      for (int b = a + 1; b < 16; b++) {
        pcie[a][b] = pcie[b][a] = all[random.nextInt(all.length)];
        links[a][b] = links[b][a] = random.nextInt(3) == 0 ? random.nextInt(4) : 0;
      }
    }
    return new Topology(pcie, links);
  }

  private static Topology cubeMeshes(int meshes) {
    int gpus = 8 * meshes;
    int[][] links = new int[gpus][gpus];
    for (int mesh = 0; mesh < meshes; mesh++) {
      int base = 8 * mesh;
      for (int[] link : CUBE_MESH_LINKS) {
        links[base + link[0]][base + link[1]] = links[base + link[1]][base + link[0]] = link[2];
      }
    }
    return new Topology(levels(gpus, 0), links);
  }

  /** Switch pairs (SINGLE), optional multi-switch trees of {@code treeSize}, two sockets (NODE / SYSTEM). */
  private static TopologyLevel[][] levels(int gpus, int treeSize) {
    TopologyLevel[][] pcie = new TopologyLevel[gpus][gpus];
    int socketSize = gpus / 2;
    for (int a = 0; a < gpus; a++) {
      for (int b = 0; b < gpus; b++) {
        if (a == b) {
          pcie[a][b] = TopologyLevel.INTERNAL;
        } else if (a / 2 == b / 2) {
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

  private BenchmarkTopologies() {}
}
