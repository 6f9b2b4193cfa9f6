package io.kubeaccel.core.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.core.inventory.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Beyond C(16, 8) candidate sets the chooser falls back to greedy search plus single swaps, and says so. */
class CardSetChooserLargeNodeTest {

  private static final int GPUS = 32;

  private final CardSetChooser chooser = new CardSetChooser(Topologies.random(GPUS, 32));
  private final List<Integer> all = IntStream.range(0, GPUS).boxed().toList();

  @Test
  void theExactSearchCoversEveryRequestOnSixteenGpusAndSmallRequestsBeyond() {
    assertThat(IntStream.rangeClosed(1, 15).allMatch(k -> CardSetChooser.withinExactLimit(16, k)))
        .isTrue();
    assertThat(CardSetChooser.withinExactLimit(17, 8)).isFalse();
    assertThat(CardSetChooser.withinExactLimit(64, 2)).isTrue();
    assertThat(CardSetChooser.withinExactLimit(1_000_000, 500_000)).isFalse();
  }

  @Test
  void smallRequestsOnALargeNodeAreStillExact() {
    ChooserOracle oracle = new ChooserOracle(Topologies.random(GPUS, 32));
    for (int size = 1; size <= 3; size++) {
      oracle.check(all, List.of(), size);
      oracle.check(all, List.of(5, 17), size + 1);
    }

    assertThat(oracle.disagreements()).isEmpty();
  }

  @Test
  void aLargeRequestOnALargeNodeIsAValidStableLocalOptimumMarkedNotOptimal() {
    CardSet chosen = chooser.choose(all, List.of(3, 30), 12);

    assertThat(chosen.optimal()).isFalse();
    assertThat(chosen.positions()).hasSize(12).contains(3, 30).isSorted();
    assertThat(chooser.choose(all, List.of(30, 3), 12)).isEqualTo(chosen);
    assertThat(noSingleSwapImproves(chooser.scorer(), all, List.of(3, 30), chosen))
        .isTrue();
  }

  @Test
  void theGreedySearchAloneReachesALocalOptimumOnEveryRandomRequest() {
    Topology topology = Topologies.random(12, 4);
    TopologyScorer scorer = new TopologyScorer(topology);
    List<Integer> twelve = IntStream.range(0, 12).boxed().toList();
    for (int size = 2; size < 12; size++) {
      int[] candidates = twelve.stream().mapToInt(Integer::intValue).toArray();
      SearchProblem problem =
          new SearchProblem(scorer.matrix(), 12, candidates, new int[0], candidates, size);
      List<Integer> picked = IntStream.of(GreedySearch.run(problem)).boxed().toList();
      CardSet greedy = new CardSet(picked, scorer.setScore(picked), 0, false);

      assertThat(noSingleSwapImproves(scorer, twelve, List.of(), greedy))
          .as("size %d", size)
          .isTrue();
    }
  }

  /** No swap of one chosen (not must-include) GPU for one left-free GPU raises the score, or keeps it and cuts less. */
  private static boolean noSingleSwapImproves(
      TopologyScorer scorer, List<Integer> available, List<Integer> must, CardSet chosen) {
    int score = scorer.setScore(chosen.positions());
    int cut = cut(scorer, available, chosen.positions());
    for (int out : chosen.positions()) {
      if (must.contains(out)) {
        continue;
      }
      for (int in : available) {
        if (chosen.positions().contains(in)) {
          continue;
        }
        List<Integer> swapped = new ArrayList<>(chosen.positions());
        swapped.set(swapped.indexOf(out), in);
        int swappedScore = scorer.setScore(swapped);
        if (swappedScore > score
            || (swappedScore == score && cut(scorer, available, swapped) < cut)) {
          return false;
        }
      }
    }
    return true;
  }

  private static int cut(TopologyScorer scorer, List<Integer> available, List<Integer> set) {
    int cut = 0;
    for (int a : set) {
      for (int b : available) {
        cut += set.contains(b) ? 0 : scorer.pairScore(a, b);
      }
    }
    return cut;
  }
}
