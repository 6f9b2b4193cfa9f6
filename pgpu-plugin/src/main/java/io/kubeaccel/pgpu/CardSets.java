package io.kubeaccel.pgpu;

import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.spi.PreferenceRequest;
import io.kubeaccel.core.topology.CardSet;
import io.kubeaccel.core.topology.CardSetChooser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Whole-card preferred allocation through the core's exact optimiser: the cards with the best summed NVLink/PCIe pair
 * score, and among those the set that leaves the best-connected cards free (so a single-card pod does not break an
 * NVLink pair). The optimiser works on inventory positions; this maps device IDs to positions and back.
 */
final class CardSets {

  private volatile Cached cache;

  List<String> choose(PreferenceRequest request, Map<String, Unit> units) {
    Inventory inventory = request.inventory();
    Map<Integer, String> idByPosition = new HashMap<>();
    List<Integer> available = new ArrayList<>();
    for (String id : request.available()) {
      int position = inventory.position(units.get(Unit.uuidOf(id)).card().uuid());
      idByPosition.put(position, id);
      available.add(position);
    }
    List<Integer> mustInclude = new ArrayList<>();
    for (String id : request.mustInclude()) {
      mustInclude.add(inventory.position(units.get(Unit.uuidOf(id)).card().uuid()));
    }
    CardSet chosen = chooser(inventory).choose(available, mustInclude, request.size());
    return chosen.positions().stream().map(idByPosition::get).toList();
  }

  /** One optimiser per topology snapshot: its pair scores are computed once, not per call. */
  private CardSetChooser chooser(Inventory inventory) {
    Cached cached = cache;
    if (cached == null || cached.inventory().topology() != inventory.topology()) {
      cached = new Cached(inventory, new CardSetChooser(inventory.topology()));
      cache = cached;
    }
    return cached.chooser();
  }

  private record Cached(Inventory inventory, CardSetChooser chooser) {}
}
