package io.kubeaccel.core.topology;

import java.util.Arrays;
import java.util.List;

/**
 * The test oracle: tries every set of {@code size} available GPUs that holds all must-include ones and keeps the best
 * by the contract's three rules, each computed straight from its definition (no incremental sums, no pruning).
 */
final class BruteForce {

  record Best(List<Integer> positions, int score, int cut) {}

  private final int[][] pair;

  BruteForce(TopologyScorer scorer) {
    int gpus = scorer.size();
    pair = new int[gpus][gpus];
    for (int a = 0; a < gpus; a++) {
      for (int b = 0; b < gpus; b++) {
        pair[a][b] = scorer.pairScore(a, b);
      }
    }
  }

  Best best(List<Integer> available, List<Integer> mustInclude, int size) {
    int[] free = available.stream().mapToInt(Integer::intValue).sorted().toArray();
    Search search = new Search(free, mustInclude, size);
    search.subsets(0, 0);
    return new Best(Arrays.stream(search.best).boxed().toList(), search.bestScore, search.bestCut);
  }

  private final class Search {
    final int[] free;
    final boolean[] mustInclude = new boolean[pair.length];
    final int mustCount;
    final boolean[] inSet = new boolean[pair.length];
    final int[] current;
    int[] best;
    int bestScore;
    int bestCut;

    Search(int[] free, List<Integer> must, int size) {
      this.free = free;
      must.forEach(gpu -> mustInclude[gpu] = true);
      this.mustCount = must.size();
      this.current = new int[size];
    }

    void subsets(int start, int filled) {
      if (filled == current.length) {
        consider();
        return;
      }
      for (int i = start; i <= free.length - (current.length - filled); i++) {
        current[filled] = free[i];
        inSet[free[i]] = true;
        subsets(i + 1, filled + 1);
        inSet[free[i]] = false;
      }
    }

    void consider() {
      int mustIn = 0;
      for (int gpu : current) {
        mustIn += mustInclude[gpu] ? 1 : 0;
      }
      if (mustIn != mustCount) {
        return;
      }
      int score = 0;
      int cut = 0;
      for (int a : current) {
        for (int b : current) {
          score += a < b ? pair[a][b] : 0;
        }
        for (int b : free) {
          cut += inSet[b] ? 0 : pair[a][b];
        }
      }
      if (best == null || better(score, cut)) {
        best = current.clone();
        bestScore = score;
        bestCut = cut;
      }
    }

    boolean better(int score, int cut) {
      if (score != bestScore) {
        return score > bestScore;
      }
      if (cut != bestCut) {
        return cut < bestCut;
      }
      return Arrays.compare(current, best) < 0;
    }
  }
}
