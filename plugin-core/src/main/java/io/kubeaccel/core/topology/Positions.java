package io.kubeaccel.core.topology;

import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;

/** Checks GPU positions coming from outside this package: in range, each named once. */
final class Positions {

  /**
   * The positions as an ascending array.
   *
   * @param what how the caller calls the collection, for the message
   * @throws IllegalArgumentException naming the first position that is null, outside {@code 0..size-1} or repeated
   */
  static int[] distinct(Collection<Integer> positions, int size, String what) {
    Objects.requireNonNull(positions, what);
    boolean[] seen = new boolean[size];
    int[] sorted = new int[positions.size()];
    int next = 0;
    for (Integer position : positions) {
      if (position == null || position < 0 || position >= size) {
        throw new IllegalArgumentException(what + " holds " + position
            + ", which is not a GPU position of this node (0.." + (size - 1) + ")");
      }
      if (seen[position]) {
        throw new IllegalArgumentException(what + " names GPU " + position + " twice");
      }
      seen[position] = true;
      sorted[next++] = position;
    }
    Arrays.sort(sorted);
    return sorted;
  }

  private Positions() {}
}
