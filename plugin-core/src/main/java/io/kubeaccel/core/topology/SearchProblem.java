package io.kubeaccel.core.topology;

/**
 * One request as both searches see it: the free candidates renumbered 0..count-1 (ascending inventory position, so
 * index order is position order), their pair scores, and what each candidate would add.
 *
 * <p>Both searches rank a set of picks T (the must-include GPUs M are always in) by its key
 * {@code W * score(M+T) - degree(M+T)}, up to a constant, where {@code degree(c)} sums c's pair scores to every
 * available GPU. Because {@code degree(S) = 2 * score(S) + cut(S)} for any chosen set S, among sets of equal score the
 * smaller degree sum is exactly the smaller cut, and the key is a sum of per-candidate and per-pair terms that can be
 * updated one pick at a time. {@code weight} (W) exceeds any degree sum, so score always decides first.
 */
final class SearchProblem {

  final int count;
  final int picks;

  /** {@code pair[x * count + y]}: pair score of candidates x and y. */
  final int[] pair;

  /** Pair score from each candidate to all must-include GPUs together. */
  final int[] gainFromMust;

  /** Pair score from each candidate to every other available GPU, must-include ones included. */
  final long[] degree;

  /** Even, and larger than any degree sum, so that {@code weight / 2} is exact in the search's bound. */
  final long weight;

  /** Sum of all pair scores among available GPUs; used to decide whether keys fit a {@code long}. */
  final long availableScore;

  SearchProblem(int[] matrix, int size, int[] available, int[] must, int[] candidates, int picks) {
    this.count = candidates.length;
    this.picks = picks;
    this.pair = new int[count * count];
    this.gainFromMust = new int[count];
    this.degree = new long[count];
    for (int x = 0; x < count; x++) {
      int row = candidates[x] * size;
      for (int y = 0; y < count; y++) {
        pair[x * count + y] = matrix[row + candidates[y]];
      }
      for (int gpu : must) {
        gainFromMust[x] += matrix[row + gpu];
      }
      for (int gpu : available) {
        degree[x] += matrix[row + gpu];
      }
    }
    long total = 0;
    for (int a : available) {
      for (int b : available) {
        total += matrix[a * size + b];
      }
    }
    this.availableScore = total / 2;
    this.weight = 2 * total + 2;
  }

  /** Whether every key of this problem fits a {@code long}: key <= availableScore * weight. */
  boolean keysFitLong() {
    return availableScore <= 500_000_000L;
  }

  /** The key of a set of picks (candidate indexes), relative to the must-include GPUs alone. */
  long key(int[] chosen) {
    long key = 0;
    for (int i = 0; i < chosen.length; i++) {
      int x = chosen[i];
      key += weight * gainFromMust[x] - degree[x];
      for (int j = i + 1; j < chosen.length; j++) {
        key += weight * pair[x * count + chosen[j]];
      }
    }
    return key;
  }
}
