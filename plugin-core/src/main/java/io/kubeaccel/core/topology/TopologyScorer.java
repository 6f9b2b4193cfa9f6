package io.kubeaccel.core.topology;

import io.kubeaccel.core.inventory.Topology;
import io.kubeaccel.nvml.TopologyLevel;
import java.util.Collection;

/**
 * The link score of every pair of GPUs of a node, computed once from its {@link Topology}: 100 per NVLink between the
 * pair plus the score of their PCIe common-ancestor level (same board 60, single switch 50, multiple switches 40,
 * host bridge 30, same CPU 20, across CPUs 10). The score of a set of GPUs is the sum of the scores of its pairs.
 *
 * <p>These are the numbers of NVIDIA's go-gpuallocator, so that "better than NVIDIA's answer" is measured on NVIDIA's
 * own scale. Immutable and safe to share between threads. GPUs are named by their inventory position.
 */
public final class TopologyScorer {

  /** Score of one NVLink between a pair; more than any PCIe level, so links always decide first. */
  public static final int NVLINK_SCORE = 100;

  /**
   * NVML reports at most 18 links per GPU; far more than that means a corrupt topology, and refusing it keeps every
   * sum the optimiser forms far from overflow.
   */
  static final int MAX_NVLINKS_PER_PAIR = 1_000;

  private final int size;
  private final int[] pairScores;

  /**
   * @throws IllegalArgumentException if an NVLink count is negative or above {@value #MAX_NVLINKS_PER_PAIR}
   */
  public TopologyScorer(Topology topology) {
    size = topology.size();
    pairScores = new int[size * size];
    for (int a = 0; a < size; a++) {
      for (int b = 0; b < size; b++) {
        if (a == b) {
          continue;
        }
        int links = topology.nvlinks(a, b);
        if (links < 0 || links > MAX_NVLINKS_PER_PAIR) {
          throw new IllegalArgumentException("GPUs " + a + " and " + b + " have " + links
              + " NVLinks; expected 0.." + MAX_NVLINKS_PER_PAIR);
        }
        pairScores[a * size + b] = NVLINK_SCORE * links + levelScore(topology.pcie(a, b));
      }
    }
  }

  /** What a PCIe common-ancestor level adds to a pair's score: closer is higher, every pair gets at least 10. */
  public static int levelScore(TopologyLevel level) {
    return switch (level) {
      case INTERNAL -> 60;
      case SINGLE -> 50;
      case MULTIPLE -> 40;
      case HOSTBRIDGE -> 30;
      case NODE -> 20;
      case SYSTEM -> 10;
    };
  }

  /** Number of GPUs scored. */
  public int size() {
    return size;
  }

  /**
   * Score of the pair of GPUs at positions {@code a} and {@code b}; 0 when {@code a == b}.
   *
   * @throws IllegalArgumentException if a position is outside {@code 0..size()-1}
   */
  public int pairScore(int a, int b) {
    checkPosition(a);
    checkPosition(b);
    return pairScores[a * size + b];
  }

  /**
   * Score of a set of GPUs: the sum of the scores of all its pairs (0 for zero or one GPU).
   *
   * @throws IllegalArgumentException if a position is outside {@code 0..size()-1} or appears twice
   */
  public int setScore(Collection<Integer> positions) {
    int[] set = Positions.distinct(positions, size, "positions");
    int score = 0;
    for (int i = 0; i < set.length; i++) {
      for (int j = i + 1; j < set.length; j++) {
        score += pairScores[set[i] * size + set[j]];
      }
    }
    return score;
  }

  /** Row-major pair scores, shared with the optimiser of this package; callers must not modify it. */
  int[] matrix() {
    return pairScores;
  }

  private void checkPosition(int position) {
    if (position < 0 || position >= size) {
      throw new IllegalArgumentException(
          "GPU position " + position + " is outside 0.." + (size - 1));
    }
  }
}
