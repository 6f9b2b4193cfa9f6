package io.kubeaccel.core.sharing;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.ledger.CardUse;
import io.kubeaccel.core.spi.InvalidRequestException;
import io.kubeaccel.core.topology.CardSet;
import io.kubeaccel.core.topology.CardSetChooser;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cards of a node as shares see them, and the choice of card(s) for a container: the extender's choice when it
 * made one that still fits, else the placement policy; whole cards topology-aware through the core's optimiser.
 */
public final class CardPool {

  private final ShareFamily family;
  private final Inventory inventory;
  private final List<CardState> cards;

  private CardPool(ShareFamily family, Inventory inventory, List<CardState> cards) {
    this.family = family;
    this.inventory = inventory;
    this.cards = cards;
  }

  /** The cards of {@code inventory} that can hold shares (cards in MIG mode cannot), with what {@code use} holds. */
  public static CardPool of(ShareFamily family, Inventory inventory, Map<String, CardUse> use) {
    List<CardState> cards = new ArrayList<>();
    for (int position = 0; position < inventory.gpus().size(); position++) {
      Gpu gpu = inventory.gpus().get(position);
      if (gpu.mig() == Gpu.MigState.ENABLED) {
        continue;
      }
      CardUse used = use.getOrDefault(gpu.uuid(), new CardUse(0, 0, 0, false));
      cards.add(new CardState(
          gpu,
          position,
          family.coresPerCard(),
          family.memoryUnitsOf(gpu.memoryBytes()),
          used.cores(),
          used.memoryUnits(),
          used.exclusive(),
          inventory.health(gpu.uuid()).healthy()));
    }
    return new CardPool(family, inventory, List.copyOf(cards));
  }

  public List<CardState> cards() {
    return cards;
  }

  /** The card with NVML index {@code index}. */
  public Optional<CardState> byIndex(int index) {
    return cards.stream().filter(c -> c.gpu().index() == index).findFirst();
  }

  /** The largest memory a single card advertises, in units. */
  public long largestCardMemoryUnits() {
    return cards.stream().mapToLong(CardState::memoryUnits).max().orElse(0);
  }

  /**
   * The cards for {@code demand}: {@code preferred} (the extender's indexes) when they fit, else the policy's choice.
   *
   * @throws InvalidRequestException saying why nothing fits, with the best candidate
   */
  public List<CardState> place(
      ContainerDemand demand, List<Integer> preferred, PlacementPolicy policy) {
    List<CardState> wanted =
        preferred.stream().map(this::byIndex).flatMap(Optional::stream).toList();
    if (!wanted.isEmpty() && wanted.size() == preferred.size() && fitsAll(demand, wanted)) {
      return wanted;
    }
    return demand.wholeCards() ? wholeCards(demand) : share(demand, policy);
  }

  private boolean fitsAll(ContainerDemand demand, List<CardState> chosen) {
    if (demand.wholeCards()) {
      return chosen.size() == demand.cardCount()
          && chosen.stream().allMatch(c -> c.healthy() && c.idle());
    }
    return chosen.size() == 1 && chosen.get(0).fits(demand.cores(), demand.memoryUnits());
  }

  private List<CardState> share(ContainerDemand demand, PlacementPolicy policy) {
    Comparator<CardState> byFreeCores =
        Comparator.comparingInt(CardState::freeCores).thenComparingLong(CardState::freeMemoryUnits);
    Comparator<CardState> order =
        policy == PlacementPolicy.BINPACK ? byFreeCores : byFreeCores.reversed();
    order = order.thenComparingInt(c -> c.gpu().index());
    Optional<CardState> best =
        cards.stream().filter(c -> c.fits(demand.cores(), demand.memoryUnits())).min(order);
    if (best.isPresent()) {
      return List.of(best.get());
    }
    throw new InvalidRequestException(noFitReason(demand));
  }

  private List<CardState> wholeCards(ContainerDemand demand) {
    List<CardState> idle = cards.stream().filter(c -> c.healthy() && c.idle()).toList();
    if (idle.size() < demand.cardCount()) {
      throw new InvalidRequestException(String.format(
          "%s %d asks for %d whole GPU(s); %d of %d are healthy and unshared",
          family.coreResource(), demand.cores(), demand.cardCount(), idle.size(), cards.size()));
    }
    CardSet set = new CardSetChooser(inventory.topology())
        .choose(idle.stream().map(CardState::position).toList(), List.of(), demand.cardCount());
    return set.positions().stream()
        .map(p -> idle.stream().filter(c -> c.position() == p).findFirst().orElseThrow())
        .toList();
  }

  /** E.g. "no single GPU has 40 free tencent.com/vcuda-core and 16 free tencent.com/vcuda-memory; best: GPU 1 with 30/100 cores and 20/64 memory". */
  private String noFitReason(ContainerDemand demand) {
    String wanted = String.format(
        "no single GPU has %d free %s and %d free %s",
        demand.cores(), family.coreResource(), demand.memoryUnits(), family.memoryResource());
    Optional<CardState> best = cards.stream()
        .filter(CardState::healthy)
        .max(Comparator.comparingInt(CardState::freeCores)
            .thenComparingLong(CardState::freeMemoryUnits));
    return best.map(c -> String.format(
            "%s; best: GPU %d with %d/%d cores and %d/%d memory units free",
            wanted,
            c.gpu().index(),
            c.freeCores(),
            c.cores(),
            c.freeMemoryUnits(),
            c.memoryUnits()))
        .orElse(wanted + "; no healthy GPU");
  }
}
