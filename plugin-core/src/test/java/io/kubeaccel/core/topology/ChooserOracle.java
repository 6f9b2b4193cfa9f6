package io.kubeaccel.core.topology;

import io.kubeaccel.core.inventory.Topology;
import java.util.ArrayList;
import java.util.List;

/** Runs requests through the chooser and the brute-force oracle side by side and records every disagreement. */
final class ChooserOracle {

  private final CardSetChooser chooser;
  private final BruteForce bruteForce;
  private final List<String> disagreements = new ArrayList<>();
  private int requests;

  ChooserOracle(Topology topology) {
    chooser = new CardSetChooser(topology);
    bruteForce = new BruteForce(chooser.scorer());
  }

  void check(List<Integer> available, List<Integer> mustInclude, int size) {
    requests++;
    CardSet chosen = chooser.choose(available, mustInclude, size);
    BruteForce.Best best = bruteForce.best(available, mustInclude, size);
    CardSet expected = new CardSet(best.positions(), best.score(), best.cut(), true);
    if (!chosen.equals(expected) && disagreements.size() < 20) {
      disagreements.add("available=" + available + " must=" + mustInclude + " size=" + size
          + ": chose " + chosen + ", best is " + expected);
    }
  }

  int requests() {
    return requests;
  }

  List<String> disagreements() {
    return disagreements;
  }

  /** The positions whose bit is set in {@code mask}, ascending. */
  static List<Integer> positions(long mask) {
    List<Integer> positions = new ArrayList<>(Long.bitCount(mask));
    for (int gpu = 0; gpu < 64; gpu++) {
      if ((mask & (1L << gpu)) != 0) {
        positions.add(gpu);
      }
    }
    return positions;
  }
}
