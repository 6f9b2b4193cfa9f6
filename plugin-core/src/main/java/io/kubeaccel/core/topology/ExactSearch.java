package io.kubeaccel.core.topology;

import java.util.Arrays;

/**
 * Finds the best set of picks by depth-first enumeration of all of them, pruned by an upper bound that is never below
 * the true best key of a subtree.
 *
 * <p>Why the answer is exact, ties included: picks are added in ascending index order, so sets are met in
 * lexicographic order; a leaf replaces the incumbent only if its key is strictly higher, and a subtree is cut only
 * if its bound is not above the incumbent's key: every set in it comes later in that order, so it could at best tie
 * and lose the tie. So no set with a higher key is ever skipped, and of equal keys the first met, the
 * lexicographically smallest, is kept. The greedy seed only sets the starting threshold to one below
 * its own key, so the search still meets (and returns) the smallest set reaching the optimum itself.
 *
 * <p>The bound for a node with picks S and r picks still to make from candidates {@code from..count-1}: for any
 * completion T, key(S+T) = key(S) + sum over x in T of (W * gain(x, S) - degree(x)) + W * score(T), and score(T) is
 * at most half the sum over x in T of x's r-1 best pair scores to other candidates. So key(S) plus the r largest
 * per-candidate values of {@code W * gain - degree + W/2 * best(r-1)} bounds every completion. One instance per
 * call; all scratch arrays are allocated before the search, none inside it.
 */
final class ExactSearch {

  private final int count;
  private final int picks;
  private final int[] pair;
  private final long[] degree;
  private final long weight;

  /** {@code gains[d][x]}: pair score from x to the must-include GPUs and the first d picks of the current path. */
  private final long[][] gains;

  /** {@code pairBound[x][j]}: W/2 times the sum of x's j best pair scores to other candidates. */
  private final long[][] pairBound;

  private final long[] largest;
  private final int[] path;
  private final int[] best;
  private long bestKey;

  private ExactSearch(SearchProblem problem, int[] seed) {
    this.count = problem.count;
    this.picks = problem.picks;
    this.pair = problem.pair;
    this.degree = problem.degree;
    this.weight = problem.weight;
    this.gains = new long[picks][count];
    for (int x = 0; x < count; x++) {
      gains[0][x] = problem.gainFromMust[x];
    }
    this.pairBound = pairBounds();
    this.largest = new long[picks];
    this.path = new int[picks];
    this.best = seed.clone();
    this.bestKey = problem.key(seed) - 1;
  }

  /**
   * The lexicographically smallest set of picks with the highest key.
   *
   * @param seed a valid set of picks (ascending candidate indexes) whose key the search starts from
   */
  static int[] run(SearchProblem problem, int[] seed) {
    ExactSearch search = new ExactSearch(problem, seed);
    search.descend(0, 0, 0);
    return search.best;
  }

  private long[][] pairBounds() {
    long[][] bounds = new long[count][picks];
    int[] row = new int[count];
    long half = weight / 2;
    for (int x = 0; x < count; x++) {
      System.arraycopy(pair, x * count, row, 0, count);
      row[x] = Integer.MIN_VALUE; // not its own partner
      Arrays.sort(row);
      long sum = 0;
      for (int j = 1; j < picks; j++) {
        sum += row[count - j];
        bounds[x][j] = half * sum;
      }
    }
    return bounds;
  }

  private void descend(int depth, int from, long key) {
    int remaining = picks - depth;
    long[] gain = gains[depth];
    int last = count - remaining;
    if (remaining == 1) {
      for (int x = from; x <= last; x++) {
        long leaf = key + weight * gain[x] - degree[x];
        if (leaf > bestKey) {
          bestKey = leaf;
          path[depth] = x;
          System.arraycopy(path, 0, best, 0, picks);
        }
      }
      return;
    }
    if (upperBound(gain, from, remaining, key) <= bestKey) {
      return;
    }
    long[] next = gains[depth + 1];
    for (int x = from; x <= last; x++) {
      int row = x * count;
      for (int y = x + 1; y < count; y++) {
        next[y] = gain[y] + pair[row + y];
      }
      path[depth] = x;
      descend(depth + 1, x + 1, key + weight * gain[x] - degree[x]);
    }
  }

  /** key plus the {@code remaining} largest per-candidate bounds among candidates {@code from..count-1}. */
  private long upperBound(long[] gain, int from, int remaining, long key) {
    int filled = 0;
    for (int x = from; x < count; x++) {
      long value = weight * gain[x] - degree[x] + pairBound[x][remaining - 1];
      if (filled < remaining) {
        insert(value, filled++);
      } else if (value > largest[remaining - 1]) {
        insert(value, remaining - 1);
      }
    }
    long sum = key;
    for (int i = 0; i < remaining; i++) {
      sum += largest[i];
    }
    return sum;
  }

  /** Inserts into {@code largest[0..end]} (descending), dropping what was at {@code end}. */
  private void insert(long value, int end) {
    int i = end;
    while (i > 0 && largest[i - 1] < value) {
      largest[i] = largest[i - 1];
      i--;
    }
    largest[i] = value;
  }
}
