package io.kubeaccel.extender;

import io.kubeaccel.core.ledger.CardUse;
import io.kubeaccel.core.sharing.CardPool;
import io.kubeaccel.core.sharing.CardState;
import io.kubeaccel.core.sharing.ContainerDemand;
import io.kubeaccel.core.sharing.PlacementPolicy;
import io.kubeaccel.core.sharing.PodFit;
import io.kubeaccel.core.sharing.PublishedCard;
import io.kubeaccel.core.sharing.ShareFamily;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What is used on each card of a node, from three sources that each see only part of the truth, combined so that
 * use is never under-counted:
 *
 * <ul>
 *   <li>the agent's published use: grants it made at Allocate, including pods scheduled without the extender;
 *   <li>the pods the informer shows on the node with their assignment annotations (assigned, bound, or allocated):
 *       this includes pods the agent has not allocated yet;
 *   <li>this extender's reservations the informer does not show yet.
 * </ul>
 *
 * <p>The first two overlap (an allocated pod is in both), so per card the larger of the two counts, not the sum.
 * Pods on the node whose cards are unknown (scheduled without the extender, not allocated yet) are then placed as
 * the agent would place them, binpack, so their share is not handed out twice either.
 *
 * @param cards the node's published cards
 * @param use by card index
 * @param validUntilNanos when a counted reservation or unbound assignment expires and this must be recomputed
 * @param pool every card with its use, built once: most pods accept every model
 */
record NodeUsage(
    List<PublishedCard> cards, Map<Integer, CardUse> use, long validUntilNanos, CardPool pool) {

  private static final CardUse NONE = new CardUse(0, 0, 0, false);

  /**
   * Computes the use on {@code snapshot}'s cards for {@code family}, leaving out the pod {@code excludedUid} (the pod
   * being scheduled: its own earlier assignment must not stand in its way) when not null.
   */
  static NodeUsage of(
      NodeSnapshot snapshot, ShareFamily family, String excludedUid, long nowNanos, long ttlNanos) {
    List<PublishedCard> cards = snapshot.cards().cards();
    Map<Integer, Tally> tallies = new HashMap<>();
    List<List<ContainerDemand>> unplaced = new ArrayList<>();
    long validUntil = Long.MAX_VALUE;
    List<PodClaim> claims = new ArrayList<>(snapshot.claims().values());
    claims.sort(Comparator.comparingLong(PodClaim::timeNanos).thenComparing(PodClaim::uid));
    for (PodClaim claim : claims) {
      if (claim.uid().equals(excludedUid) || !claim.family().equals(family.name())) {
        continue;
      }
      if (!claim.bound() && claim.timeNanos() > 0) {
        long expiry = plus(claim.timeNanos(), ttlNanos);
        if (expiry <= nowNanos) {
          continue; // an assignment never bound: the scheduler gave up on that attempt
        }
        validUntil = Math.min(validUntil, expiry);
      }
      List<ContainerDemand> pending = new ArrayList<>();
      for (PodFit.ContainerCards container : claim.containers()) {
        if (container.cardIndexes().isEmpty()) {
          pending.add(container.demand());
        } else {
          add(tallies, cards, container);
        }
      }
      if (!pending.isEmpty()) {
        unplaced.add(pending);
      }
    }
    for (Reservation reservation : snapshot.reservations().values()) {
      if (reservation.pod().uid().equals(excludedUid)
          || !reservation.family().name().equals(family.name())) {
        continue;
      }
      long expiry = plus(reservation.timeNanos(), ttlNanos);
      if (expiry <= nowNanos) {
        continue;
      }
      validUntil = Math.min(validUntil, expiry);
      PodClaim claim = snapshot.claims().get(reservation.pod().uid());
      if (claim != null && NodeSnapshot.covers(claim, reservation)) {
        continue;
      }
      reservation.containers().forEach(container -> add(tallies, cards, container));
    }
    Map<Integer, CardUse> use = new HashMap<>();
    for (PublishedCard card : cards) {
      CardUse published = card.publishedUse();
      Tally seen = tallies.get(card.index());
      use.put(
          card.index(),
          seen == null
              ? published
              : new CardUse(
                  Math.max(published.cores(), seen.cores),
                  Math.max(published.memoryUnits(), seen.memoryUnits),
                  Math.max(published.containers(), seen.containers),
                  published.exclusive() || seen.exclusive));
    }
    if (!unplaced.isEmpty()) {
      use = placeAsTheAgentWould(family, cards, use, unplaced);
    }
    return new NodeUsage(
        cards, Map.copyOf(use), validUntil, CardPool.ofPublished(family, cards, use));
  }

  /** {@code a + b}, at most {@link Long#MAX_VALUE}: an absurd predicate-time must not wrap into the past. */
  static long plus(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  CardUse useOf(int cardIndex) {
    return use.getOrDefault(cardIndex, NONE);
  }

  private static Map<Integer, CardUse> placeAsTheAgentWould(
      ShareFamily family,
      List<PublishedCard> cards,
      Map<Integer, CardUse> use,
      List<List<ContainerDemand>> unplaced) {
    CardPool pool = CardPool.ofPublished(family, cards, use);
    for (List<ContainerDemand> pod : unplaced) {
      if (PodFit.fit(family, pool, pod, PlacementPolicy.BINPACK) instanceof PodFit.Fits fits) {
        pool = fits.after();
      }
    }
    Map<Integer, CardUse> placed = new HashMap<>(use);
    for (CardState card : pool.cards()) {
      CardUse before = use.getOrDefault(card.gpu().index(), NONE);
      placed.put(
          card.gpu().index(),
          new CardUse(
              card.usedCores(), card.usedMemoryUnits(), before.containers(), card.exclusive()));
    }
    return placed;
  }

  private static void add(
      Map<Integer, Tally> tallies, List<PublishedCard> cards, PodFit.ContainerCards container) {
    ContainerDemand demand = container.demand();
    for (int index : container.cardIndexes()) {
      PublishedCard card =
          cards.stream().filter(c -> c.index() == index).findFirst().orElse(null);
      if (card == null) {
        continue; // a card the node no longer publishes
      }
      Tally tally = tallies.computeIfAbsent(index, i -> new Tally());
      tally.containers++;
      if (demand.wholeCards()) {
        tally.exclusive = true;
        tally.cores += card.cores();
        tally.memoryUnits += card.memoryUnits();
      } else {
        tally.cores += demand.cores();
        tally.memoryUnits += demand.memoryUnits();
      }
    }
  }

  /** Use summed from claims and reservations on one card. */
  private static final class Tally {
    int cores;
    long memoryUnits;
    int containers;
    boolean exclusive;
  }
}
