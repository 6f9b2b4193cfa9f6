package io.kubeaccel.core.sharing;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Health;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.Topology;
import io.kubeaccel.core.ledger.CardUse;
import io.kubeaccel.core.spi.InvalidRequestException;
import io.kubeaccel.core.topology.CardSet;
import io.kubeaccel.core.topology.CardSetChooser;
import io.kubeaccel.nvml.ComputeCapability;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cards of a node as shares see them, and the choice of card(s) for a container: the extender's choice when it
 * made one that still fits, else the placement policy; whole cards topology-aware through the core's optimiser.
 */
public final class CardPool {

  /** What a card known only from its published annotation reports as compute capability: nothing. */
  private static final ComputeCapability UNKNOWN_CAPABILITY = new ComputeCapability(0, 0);

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

  /**
   * The cards a node agent published ({@link PublishedCard}), as the scheduler extender sees them: capacity and
   * health as published, use as {@code useByIndex} says (by card index; absent means unused). Cards in MIG mode are
   * left out. The annotation carries no topology, so whole cards are chosen by index order.
   */
  public static CardPool ofPublished(
      ShareFamily family, List<PublishedCard> published, Map<Integer, CardUse> useByIndex) {
    List<Gpu> gpus = new ArrayList<>(published.size());
    Map<String, Health> health = new HashMap<>();
    for (PublishedCard card : published) {
      gpus.add(new Gpu(
          card.index(),
          card.uuid(),
          card.model(),
          card.index(),
          "",
          card.numa(),
          card.memoryMiB() << 20,
          UNKNOWN_CAPABILITY,
          card.mig() ? Gpu.MigState.ENABLED : Gpu.MigState.DISABLED,
          List.of()));
      health.put(
          card.uuid(),
          card.healthy()
              ? Health.healthy(Instant.EPOCH)
              : Health.unhealthy("published Unhealthy", Instant.EPOCH));
    }
    Inventory inventory = new Inventory(0, gpus, Topology.unknown(gpus.size()), health, null, "");
    List<CardState> cards = new ArrayList<>();
    for (int position = 0; position < published.size(); position++) {
      PublishedCard card = published.get(position);
      if (card.mig()) {
        continue;
      }
      CardUse used = useByIndex.getOrDefault(card.index(), new CardUse(0, 0, 0, false));
      cards.add(new CardState(
          gpus.get(position),
          position,
          card.cores(),
          card.memoryUnits(),
          used.cores(),
          used.memoryUnits(),
          used.exclusive(),
          card.healthy()));
    }
    return new CardPool(family, inventory, List.copyOf(cards));
  }

  /**
   * This pool after {@code demand} got {@code chosen} (cards of this pool): whole cards become exclusive and fully
   * used, a share adds its cores and memory to its card.
   */
  CardPool granted(ContainerDemand demand, List<CardState> chosen) {
    List<CardState> next = new ArrayList<>(cards.size());
    for (CardState card : cards) {
      boolean taken = false;
      for (CardState c : chosen) {
        taken |= c.position() == card.position();
      }
      if (!taken) {
        next.add(card);
      } else if (demand.wholeCards()) {
        next.add(new CardState(
            card.gpu(),
            card.position(),
            card.cores(),
            card.memoryUnits(),
            card.cores(),
            card.memoryUnits(),
            true,
            card.healthy()));
      } else {
        next.add(new CardState(
            card.gpu(),
            card.position(),
            card.cores(),
            card.memoryUnits(),
            card.usedCores() + demand.cores(),
            card.usedMemoryUnits() + demand.memoryUnits(),
            card.exclusive(),
            card.healthy()));
      }
    }
    return new CardPool(family, inventory, List.copyOf(next));
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
    return choose(demand, policy).orElseThrow(() -> new InvalidRequestException(noFit(demand)));
  }

  /**
   * The policy's choice for {@code demand}, as {@link #place} makes it without a preferred choice, or empty when
   * nothing fits ({@link #noFit} says why). No exception: the extender asks this of thousands of nodes.
   */
  Optional<List<CardState>> choose(ContainerDemand demand, PlacementPolicy policy) {
    return demand.wholeCards() ? wholeCards(demand) : share(demand, policy);
  }

  /** Why {@link #choose} finds nothing for {@code demand}. */
  String noFit(ContainerDemand demand) {
    if (demand.wholeCards()) {
      long idle = cards.stream().filter(c -> c.healthy() && c.idle()).count();
      return family.coreResource() + " " + demand.cores() + " asks for " + demand.cardCount()
          + " whole GPU(s); " + idle + " of " + cards.size() + " are healthy and unshared";
    }
    return noFitReason(demand);
  }

  private boolean fitsAll(ContainerDemand demand, List<CardState> chosen) {
    if (demand.wholeCards()) {
      return chosen.size() == demand.cardCount()
          && chosen.stream().allMatch(c -> c.healthy() && c.idle());
    }
    return chosen.size() == 1 && chosen.get(0).fits(demand.cores(), demand.memoryUnits());
  }

  private static final Comparator<CardState> BY_FREE_CORES =
      Comparator.comparingInt(CardState::freeCores).thenComparingLong(CardState::freeMemoryUnits);
  private static final Comparator<CardState> BINPACK_ORDER =
      BY_FREE_CORES.thenComparingInt(c -> c.gpu().index());
  private static final Comparator<CardState> SPREAD_ORDER =
      BY_FREE_CORES.reversed().thenComparingInt(c -> c.gpu().index());

  private Optional<List<CardState>> share(ContainerDemand demand, PlacementPolicy policy) {
    Comparator<CardState> order = policy == PlacementPolicy.BINPACK ? BINPACK_ORDER : SPREAD_ORDER;
    CardState best = null;
    for (CardState card : cards) {
      if (card.fits(demand.cores(), demand.memoryUnits())
          && (best == null || order.compare(card, best) < 0)) {
        best = card;
      }
    }
    return best == null ? Optional.empty() : Optional.of(List.of(best));
  }

  private Optional<List<CardState>> wholeCards(ContainerDemand demand) {
    List<CardState> idle = cards.stream().filter(c -> c.healthy() && c.idle()).toList();
    if (idle.size() < demand.cardCount()) {
      return Optional.empty();
    }
    CardSet set = new CardSetChooser(inventory.topology())
        .choose(idle.stream().map(CardState::position).toList(), List.of(), demand.cardCount());
    return Optional.of(set.positions().stream()
        .map(p -> idle.stream().filter(c -> c.position() == p).findFirst().orElseThrow())
        .toList());
  }

  /** E.g. "no single GPU has 40 free tencent.com/vcuda-core and 16 free tencent.com/vcuda-memory; best: GPU 1 with 30/100 cores and 20/64 memory". */
  private String noFitReason(ContainerDemand demand) {
    // Concatenation, not String.format: the extender writes this for every full node it judges.
    String wanted = "no single GPU has " + demand.cores() + " free " + family.coreResource()
        + " and " + demand.memoryUnits() + " free " + family.memoryResource();
    CardState best = null;
    for (CardState card : cards) {
      if (card.healthy() && (best == null || BY_FREE_CORES.compare(card, best) > 0)) {
        best = card;
      }
    }
    if (best == null) {
      return wanted + "; no healthy GPU";
    }
    return wanted + "; best: GPU " + best.gpu().index() + " with " + best.freeCores() + "/"
        + best.cores() + " cores and " + best.freeMemoryUnits() + "/" + best.memoryUnits()
        + " memory units free";
  }
}
