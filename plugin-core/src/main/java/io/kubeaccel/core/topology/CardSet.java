package io.kubeaccel.core.topology;

import java.util.List;

/**
 * The GPUs {@link CardSetChooser} gives one request, with the numbers it was judged by.
 *
 * @param positions inventory positions, ascending; every must-include position is among them
 * @param score the set score ({@link TopologyScorer#setScore}): the sum of the pair scores within the set
 * @param cut the sum of the pair scores between the chosen GPUs and the available GPUs left free: the link quality
 *     this choice takes away from later requests
 * @param optimal true when the search was exhaustive, so no other set of this size scores higher or, scoring the
 *     same, cuts less; false when the set came from the greedy search used for very large requests
 */
public record CardSet(List<Integer> positions, int score, int cut, boolean optimal) {

  public CardSet {
    positions = List.copyOf(positions);
  }
}
