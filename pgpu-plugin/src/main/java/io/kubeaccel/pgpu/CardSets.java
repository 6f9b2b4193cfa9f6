package io.kubeaccel.pgpu;

import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.Topology;
import io.kubeaccel.core.spi.PreferenceRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Whole-card preferred allocation: the set of cards with the best summed pair score (100 per NVLink plus the PCIe
 * level score), found by exhaustive search over the available cards.
 */
final class CardSets {

  private CardSets() {}

  static List<String> choose(PreferenceRequest request, Map<String, Unit> units) {
    Inventory inventory = request.inventory();
    List<String> free = new ArrayList<>(request.available());
    free.removeAll(request.mustInclude());
    free.sort(
        Comparator.comparing(id -> units.get(Unit.uuidOf(id)).index(), ResourcePlan::compareIndex));
    int needed = request.size() - request.mustInclude().size();
    List<String> best = new ArrayList<>(request.mustInclude());
    Search search =
        new Search(inventory.topology(), inventory, free, needed, request.mustInclude());
    best.addAll(search.best());
    return best;
  }

  /** Depth-first enumeration of {@code needed} cards out of {@code free}. */
  private static final class Search {
    private final Topology topology;
    private final Inventory inventory;
    private final List<String> free;
    private final int needed;
    private final List<String> fixed;
    private final List<String> current = new ArrayList<>();
    private List<String> best = List.of();
    private long bestScore = Long.MIN_VALUE;

    Search(
        Topology topology, Inventory inventory, List<String> free, int needed, List<String> fixed) {
      this.topology = topology;
      this.inventory = inventory;
      this.free = free;
      this.needed = needed;
      this.fixed = fixed;
    }

    List<String> best() {
      walk(0);
      return best;
    }

    private void walk(int from) {
      if (current.size() == needed) {
        List<String> all = new ArrayList<>(fixed);
        all.addAll(current);
        long score = score(all);
        if (score > bestScore) {
          bestScore = score;
          best = List.copyOf(current);
        }
        return;
      }
      for (int i = from; i <= free.size() - (needed - current.size()); i++) {
        current.add(free.get(i));
        walk(i + 1);
        current.remove(current.size() - 1);
      }
    }

    private long score(List<String> ids) {
      long total = 0;
      for (int i = 0; i < ids.size(); i++) {
        for (int j = i + 1; j < ids.size(); j++) {
          int a = inventory.position(Unit.uuidOf(ids.get(i)));
          int b = inventory.position(Unit.uuidOf(ids.get(j)));
          if (a >= 0 && b >= 0) {
            total += 100L * topology.nvlinks(a, b) + (60 - topology.pcie(a, b).nvmlValue());
          }
        }
      }
      return total;
    }
  }
}
