package io.kubeaccel.extender;

import java.util.HashMap;
import java.util.Map;

/**
 * Everything the extender knows of one node at one moment, replaced whole on every change so that a reader never sees
 * a claim and the reservation it replaces both missing.
 *
 * @param cards the published cards, or null while no Node object has been seen (or after it was deleted)
 * @param claims pods holding or assigned on the node, by UID
 * @param reservations this extender's grants not yet visible as claims, by pod UID
 * @param version increases with every change, to key cached computations
 */
record NodeSnapshot(
    NodeCards cards,
    Map<String, PodClaim> claims,
    Map<String, Reservation> reservations,
    long version) {

  static final NodeSnapshot EMPTY = new NodeSnapshot(null, Map.of(), Map.of(), 0);

  NodeSnapshot withCards(NodeCards next) {
    return new NodeSnapshot(next, claims, reservations, version + 1);
  }

  /**
   * With {@code claim} recorded, and the reservation it makes visible (same pod, same assignment time) dropped in
   * the same step.
   */
  NodeSnapshot withClaim(PodClaim claim) {
    Map<String, PodClaim> nextClaims = new HashMap<>(claims);
    nextClaims.put(claim.uid(), claim);
    Map<String, Reservation> nextReservations = reservations;
    Reservation reservation = reservations.get(claim.uid());
    if (reservation != null && covers(claim, reservation)) {
      nextReservations = new HashMap<>(reservations);
      nextReservations.remove(claim.uid());
    }
    return new NodeSnapshot(
        cards, Map.copyOf(nextClaims), Map.copyOf(nextReservations), version + 1);
  }

  NodeSnapshot withoutClaim(String uid) {
    if (!claims.containsKey(uid)) {
      return this;
    }
    Map<String, PodClaim> next = new HashMap<>(claims);
    next.remove(uid);
    return new NodeSnapshot(cards, Map.copyOf(next), reservations, version + 1);
  }

  NodeSnapshot withReservation(Reservation reservation) {
    Map<String, Reservation> next = new HashMap<>(reservations);
    next.put(reservation.pod().uid(), reservation);
    return new NodeSnapshot(cards, claims, Map.copyOf(next), version + 1);
  }

  NodeSnapshot withoutReservation(Reservation reservation) {
    if (reservations.get(reservation.pod().uid()) != reservation) {
      return this;
    }
    Map<String, Reservation> next = new HashMap<>(reservations);
    next.remove(reservation.pod().uid());
    return new NodeSnapshot(cards, claims, Map.copyOf(next), version + 1);
  }

  /** Whether the informer's {@code claim} is the reservation come back (so counting both would count it twice). */
  static boolean covers(PodClaim claim, Reservation reservation) {
    return claim.timeNanos() == reservation.timeNanos()
        && claim.containers().stream().noneMatch(c -> c.cardIndexes().isEmpty());
  }
}
