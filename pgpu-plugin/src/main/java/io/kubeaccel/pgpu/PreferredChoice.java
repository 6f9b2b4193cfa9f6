package io.kubeaccel.pgpu;

import io.kubeaccel.core.spi.PreferenceRequest;
import io.kubeaccel.pgpu.config.SharedAllocationPolicy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers GetPreferredAllocation. Whole cards: the set with the best NVLink/PCIe connectivity (the core's exact
 * topology optimiser). Replicas of time-sliced cards: spread over the least-used cards ({@code distributed}) or
 * packed onto the most-used card with free replicas ({@code packed}); how used a card is shows in the request itself,
 * as replicas of it missing from the available list.
 */
final class PreferredChoice {

  private final SharedAllocationPolicy policy;
  private final CardSets cards = new CardSets();

  PreferredChoice(SharedAllocationPolicy policy) {
    this.policy = policy;
  }

  List<String> choose(PreferenceRequest request, Map<String, Unit> units) {
    List<Unit> offered =
        request.available().stream().map(id -> units.get(Unit.uuidOf(id))).toList();
    if (offered.stream().anyMatch(u -> u.replicas() > 1)) {
      return replicas(request, units);
    }
    if (offered.stream().anyMatch(u -> u.mig() != null)) {
      return inIndexOrder(request, units); // MIG devices have no links between them to weigh
    }
    return cards.choose(request, units);
  }

  /** The must-include IDs, then the lowest-indexed free ones. */
  private static List<String> inIndexOrder(PreferenceRequest request, Map<String, Unit> units) {
    List<String> chosen = new ArrayList<>(request.mustInclude());
    request.available().stream()
        .filter(id -> !chosen.contains(id))
        .sorted(Comparator.comparing(
            (String id) -> units.get(Unit.uuidOf(id)).index(), ResourcePlan::compareIndex))
        .limit(request.size() - chosen.size())
        .forEach(chosen::add);
    return chosen;
  }

  private List<String> replicas(PreferenceRequest request, Map<String, Unit> units) {
    Map<String, List<String>> freeByUnit = new LinkedHashMap<>();
    for (String id : request.available()) {
      freeByUnit.computeIfAbsent(Unit.uuidOf(id), k -> new ArrayList<>()).add(id);
    }
    Map<String, Integer> used = new HashMap<>();
    for (Map.Entry<String, List<String>> entry : freeByUnit.entrySet()) {
      Unit unit = units.get(entry.getKey());
      int replicas = unit != null ? unit.replicas() : entry.getValue().size();
      used.put(entry.getKey(), replicas - entry.getValue().size());
    }
    List<String> chosen = new ArrayList<>(request.mustInclude());
    for (String id : request.mustInclude()) {
      String unit = Unit.uuidOf(id);
      freeByUnit.get(unit).remove(id);
      used.merge(unit, 1, Integer::sum);
    }
    Comparator<String> order = policy == SharedAllocationPolicy.DISTRIBUTED
        ? Comparator.comparing((String unit) -> used.get(unit))
        : Comparator.comparing((String unit) -> -used.get(unit));
    order = order.thenComparing(unit -> unitIndex(units, unit), ResourcePlan::compareIndex);
    while (chosen.size() < request.size()) {
      String unit = freeByUnit.keySet().stream()
          .filter(u -> !freeByUnit.get(u).isEmpty())
          .min(order)
          .orElseThrow(
              () -> new IllegalStateException("fewer free replicas than the request size"));
      chosen.add(freeByUnit.get(unit).remove(0));
      used.merge(unit, 1, Integer::sum);
    }
    return chosen;
  }

  private static String unitIndex(Map<String, Unit> units, String uuid) {
    Unit unit = units.get(uuid);
    return unit != null ? unit.index() : "0";
  }
}
