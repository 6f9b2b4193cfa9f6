package io.kubeaccel.core.topology;

import io.kubeaccel.core.inventory.Topology;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Chooses which GPUs of a node a request for several whole cards should get, from the topology read at start (no
 * NVML call per request): the answer to the kubelet's GetPreferredAllocation, and to whole-card requests of the
 * other modes. GPUs are named by inventory position.
 *
 * <p>What {@link #choose} promises, in order of precedence:
 *
 * <ol>
 *   <li>the set has exactly {@code size} available GPUs and contains every must-include GPU;
 *   <li>its set score ({@link TopologyScorer}) is the highest of all such sets;
 *   <li>of those, it cuts the least link score from the available GPUs left free (the sum of pair scores between
 *       chosen and left-free GPUs), so NVLink partners stay together for later requests; for one card this picks
 *       the card whose partners are already taken;
 *   <li>of those, its ascending positions compare lexicographically smallest, so equal requests get equal answers.
 * </ol>
 *
 * <p>These hold exactly (the search is exhaustive, with pruning that never drops a better set) whenever the number
 * of candidate sets is at most C(16, 8) = 12,870: every request on a node of up to 16 GPUs, and small requests on
 * larger ones. Beyond that the answer comes from a deterministic greedy search followed by single swaps until none
 * improves: valid and stable, but not guaranteed optimal, and {@link CardSet#optimal()} says so.
 *
 * <p>Immutable and safe to share between threads; each call allocates its own small scratch arrays.
 */
public final class CardSetChooser {

  /** The most candidate sets searched exhaustively: C(16, 8), the worst case on a 16-GPU node. */
  static final long EXACT_SEARCH_LIMIT = 12_870;

  private final TopologyScorer scorer;

  /**
   * @throws IllegalArgumentException if the topology holds an impossible NVLink count (see {@link TopologyScorer})
   */
  public CardSetChooser(Topology topology) {
    this(new TopologyScorer(topology));
  }

  public CardSetChooser(TopologyScorer scorer) {
    this.scorer = scorer;
  }

  /** The pair scores this chooser maximises. */
  public TopologyScorer scorer() {
    return scorer;
  }

  /**
   * The GPUs to give a request (see the class comment for the exact promise).
   *
   * @param available positions the request may get
   * @param mustInclude positions it must get, all of them among {@code available}; may be empty
   * @param size how many GPUs to give
   * @throws IllegalArgumentException if a position is outside the node, repeated, or must-included without being
   *     available, if {@code size} is below 1 or above the number available, or if more GPUs must be included than
   *     {@code size}
   */
  public CardSet choose(Collection<Integer> available, Collection<Integer> mustInclude, int size) {
    int gpus = scorer.size();
    int[] free = Positions.distinct(available, gpus, "available");
    int[] must = Positions.distinct(mustInclude, gpus, "mustInclude");
    if (size < 1) {
      throw new IllegalArgumentException("size must be at least 1, got " + size);
    }
    if (size > free.length) {
      throw new IllegalArgumentException(
          "size " + size + " is more than the " + free.length + " available GPUs");
    }
    if (must.length > size) {
      throw new IllegalArgumentException(
          "mustInclude names " + must.length + " GPUs, more than the size " + size);
    }
    int[] candidates = candidates(free, must, gpus);
    int picks = size - must.length;
    boolean optimal = true;
    int[] chosen;
    if (picks == 0 || picks == candidates.length) {
      chosen = firstIndexes(picks);
    } else {
      SearchProblem problem =
          new SearchProblem(scorer.matrix(), gpus, free, must, candidates, picks);
      chosen = GreedySearch.run(problem);
      if (withinExactLimit(candidates.length, picks) && problem.keysFitLong()) {
        chosen = ExactSearch.run(problem, chosen);
      } else {
        optimal = false;
      }
    }
    return describe(free, must, candidates, chosen, optimal);
  }

  /** The available GPUs that are not must-included, ascending; checks must-include is within available. */
  private static int[] candidates(int[] free, int[] must, int gpus) {
    boolean[] isMust = new boolean[gpus];
    for (int gpu : must) {
      isMust[gpu] = true;
    }
    int[] candidates = new int[free.length - must.length];
    int next = 0;
    int mustFound = 0;
    for (int gpu : free) {
      if (isMust[gpu]) {
        mustFound++;
      } else if (next < candidates.length) {
        candidates[next++] = gpu;
      }
    }
    if (mustFound != must.length) {
      List<Integer> missing = new ArrayList<>();
      boolean[] isFree = new boolean[gpus];
      for (int gpu : free) {
        isFree[gpu] = true;
      }
      for (int gpu : must) {
        if (!isFree[gpu]) {
          missing.add(gpu);
        }
      }
      throw new IllegalArgumentException("mustInclude GPUs " + missing + " are not available");
    }
    return candidates;
  }

  private static int[] firstIndexes(int count) {
    int[] indexes = new int[count];
    for (int i = 0; i < count; i++) {
      indexes[i] = i;
    }
    return indexes;
  }

  /** Whether C(count, picks) is at most {@link #EXACT_SEARCH_LIMIT}, without overflowing. */
  static boolean withinExactLimit(int count, int picks) {
    int k = Math.min(picks, count - picks);
    long sets = 1;
    for (int i = 1; i <= k; i++) {
      // C(count - k + i, i), an integer at every step; stop before it can overflow.
      sets = sets * (count - k + i) / i;
      if (sets > EXACT_SEARCH_LIMIT) {
        return false;
      }
    }
    return true;
  }

  private CardSet describe(
      int[] free, int[] must, int[] candidates, int[] chosen, boolean optimal) {
    int gpus = scorer.size();
    boolean[] inSet = new boolean[gpus];
    for (int gpu : must) {
      inSet[gpu] = true;
    }
    for (int index : chosen) {
      inSet[candidates[index]] = true;
    }
    int[] matrix = scorer.matrix();
    List<Integer> positions = new ArrayList<>(must.length + chosen.length);
    int score = 0;
    int cut = 0;
    for (int a : free) {
      if (!inSet[a]) {
        continue;
      }
      positions.add(a);
      for (int b : free) {
        if (!inSet[b]) {
          cut += matrix[a * gpus + b];
        } else if (b > a) {
          score += matrix[a * gpus + b];
        }
      }
    }
    return new CardSet(positions, score, cut, optimal);
  }
}
