package io.kubeaccel.core.inventory;

import io.kubeaccel.nvml.TopologyLevel;
import java.util.Arrays;

/**
 * How the GPUs of a node connect to each other, read once at start: the PCIe common-ancestor level and the NVLink
 * count of every pair, by inventory position (the position of a GPU in {@link Inventory#gpus()}).
 *
 * <p>On NVSwitch systems every NVLink of a GPU goes to a switch, not to a peer; GPUs on one switch fabric are
 * recorded as linked to each other with the smaller of their switch-link counts, so all pairs on the fabric score
 * alike and PCIe/NUMA locality decides among them.
 */
public final class Topology {

  private final TopologyLevel[][] pcie;
  private final int[][] nvlinks;

  /**
   * @param pcie common-ancestor level for every pair; the diagonal is ignored
   * @param nvlinks NVLink count for every pair, symmetric, zero on the diagonal
   * @throws IllegalArgumentException if the matrices are not square, of equal size and symmetric
   */
  public Topology(TopologyLevel[][] pcie, int[][] nvlinks) {
    int n = pcie.length;
    if (nvlinks.length != n) {
      throw new IllegalArgumentException(
          "pcie and nvlink matrices differ in size: " + n + " vs " + nvlinks.length);
    }
    this.pcie = new TopologyLevel[n][];
    this.nvlinks = new int[n][];
    for (int i = 0; i < n; i++) {
      if (pcie[i].length != n || nvlinks[i].length != n) {
        throw new IllegalArgumentException("topology row " + i + " is not of length " + n);
      }
      this.pcie[i] = pcie[i].clone();
      this.nvlinks[i] = nvlinks[i].clone();
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (i != j && (nvlinks[i][j] != nvlinks[j][i] || pcie[i][j] != pcie[j][i])) {
          throw new IllegalArgumentException(
              "topology is not symmetric between GPU " + i + " and GPU " + j);
        }
      }
    }
  }

  /** A topology of {@code n} GPUs with no NVLink, all pairs across CPUs: what is assumed when nothing is known. */
  public static Topology unknown(int n) {
    TopologyLevel[][] pcie = new TopologyLevel[n][n];
    for (TopologyLevel[] row : pcie) {
      Arrays.fill(row, TopologyLevel.SYSTEM);
    }
    return new Topology(pcie, new int[n][n]);
  }

  /** Number of GPUs described. */
  public int size() {
    return pcie.length;
  }

  /** PCIe common-ancestor level of GPUs {@code a} and {@code b} (positions). */
  public TopologyLevel pcie(int a, int b) {
    return pcie[a][b];
  }

  /** NVLink count between GPUs {@code a} and {@code b} (positions); 0 when not linked. */
  public int nvlinks(int a, int b) {
    return nvlinks[a][b];
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Topology that
        && Arrays.deepEquals(pcie, that.pcie)
        && Arrays.deepEquals(nvlinks, that.nvlinks);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.deepHashCode(pcie) + Arrays.deepHashCode(nvlinks);
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("Topology[");
    for (int i = 0; i < size(); i++) {
      for (int j = i + 1; j < size(); j++) {
        out.append(i).append('-').append(j).append(':').append(pcie[i][j]);
        if (nvlinks[i][j] > 0) {
          out.append("+NV").append(nvlinks[i][j]);
        }
        out.append(' ');
      }
    }
    return out.toString().trim() + "]";
  }
}
