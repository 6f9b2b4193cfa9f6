package io.kubeaccel.core.topology;

/**
 * A fast, deterministic, not necessarily optimal answer: grow the set one best pick at a time, then swap one pick for
 * one unpicked candidate while that strictly improves the set. The result is a local optimum: no single swap raises
 * the score, or keeps it and lowers the cut.
 *
 * <p>Used alone for requests too large to search exhaustively, and as the exhaustive search's first incumbent, where
 * a good early bound is what makes branch-and-bound prune.
 */
final class GreedySearch {

  /** Bounds the work of one call; far above the handful of swaps real topologies need. */
  static final int MAX_SWAPS = 10_000;

  private GreedySearch() {}

  /** Candidate indexes, ascending. */
  static int[] run(SearchProblem problem) {
    int count = problem.count;
    int[] pair = problem.pair;
    long[] degree = problem.degree;
    boolean[] chosen = new boolean[count];
    // gain[x]: pair score from x to the must-include GPUs and to the picks so far.
    long[] gain = new long[count];
    for (int x = 0; x < count; x++) {
      gain[x] = problem.gainFromMust[x];
    }
    for (int step = 0; step < problem.picks; step++) {
      int best = -1;
      for (int x = 0; x < count; x++) {
        if (!chosen[x]
            && (best < 0
                || gain[x] > gain[best]
                || (gain[x] == gain[best] && degree[x] < degree[best]))) {
          best = x;
        }
      }
      chosen[best] = true;
      for (int y = 0; y < count; y++) {
        gain[y] += pair[best * count + y];
      }
    }
    int swaps = 0;
    while (swaps < MAX_SWAPS && improveOnce(problem, chosen, gain)) {
      swaps++;
    }
    int[] picks = new int[problem.picks];
    int next = 0;
    for (int x = 0; x < count; x++) {
      if (chosen[x]) {
        picks[next++] = x;
      }
    }
    return picks;
  }

  /** Makes the first strictly improving swap in index order, if there is one. */
  private static boolean improveOnce(SearchProblem problem, boolean[] chosen, long[] gain) {
    int count = problem.count;
    int[] pair = problem.pair;
    for (int out = 0; out < count; out++) {
      if (!chosen[out]) {
        continue;
      }
      for (int in = 0; in < count; in++) {
        if (chosen[in]) {
          continue;
        }
        long scoreChange = gain[in] - pair[out * count + in] - gain[out];
        long degreeChange = problem.degree[in] - problem.degree[out];
        if (scoreChange > 0 || (scoreChange == 0 && degreeChange < 0)) {
          chosen[out] = false;
          chosen[in] = true;
          for (int y = 0; y < count; y++) {
            gain[y] += pair[in * count + y] - pair[out * count + y];
          }
          return true;
        }
      }
    }
    return false;
  }
}
