package io.kubeaccel.extender;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the extender knows of one node at one moment, replaced whole on every change so that a reader never sees
 * a claim and the reservation it replaces both missing.
 *
 * <p>A filter request asks every node whether it holds the pod being scheduled ({@link #holds}); the answer is almost
 * always no, and looking in 5,000 nodes' maps costs a cache miss each. A 128-bit filter of the UIDs held, computed
 * when the snapshot is made, answers most of those noes without touching the maps.
 */
final class NodeSnapshot {

  static final NodeSnapshot EMPTY = new NodeSnapshot(null, Map.of(), Map.of(), 0);

  private final NodeCards cards;
  private final Map<String, PodClaim> claims;
  private final Map<String, Reservation> reservations;
  private final long version;
  private final long uidBitsLow;
  private final long uidBitsHigh;

  /**
   * @param cards the published cards, or null while no Node object has been seen (or after it was deleted)
   * @param claims pods holding or assigned on the node, by UID
   * @param reservations this extender's grants not yet visible as claims, by pod UID
   * @param version increases with every change, to key cached computations
   */
  private NodeSnapshot(
      NodeCards cards,
      Map<String, PodClaim> claims,
      Map<String, Reservation> reservations,
      long version) {
    this.cards = cards;
    this.claims = claims;
    this.reservations = reservations;
    this.version = version;
    long low = 0;
    long high = 0;
    for (Map<String, ?> held : List.of(claims, reservations)) {
      for (String uid : held.keySet()) {
        int hash = uid.hashCode();
        low |= lowBits(hash);
        high |= highBits(hash);
      }
    }
    this.uidBitsLow = low;
    this.uidBitsHigh = high;
  }

  NodeCards cards() {
    return cards;
  }

  Map<String, PodClaim> claims() {
    return claims;
  }

  Map<String, Reservation> reservations() {
    return reservations;
  }

  long version() {
    return version;
  }

  /** Whether the pod {@code uid} has a claim or a reservation on this node. */
  boolean holds(String uid) {
    return mayHold(uid) && (claims.containsKey(uid) || reservations.containsKey(uid));
  }

  /** False when the UID filter alone shows that the pod {@code uid} is not held here. */
  boolean mayHold(String uid) {
    int hash = uid.hashCode();
    long low = lowBits(hash);
    long high = highBits(hash);
    return (uidBitsLow & low) == low && (uidBitsHigh & high) == high;
  }

  /** Two bits of 128 per UID hash (bits 0-6 and 7-13 of it): those of them in the low word. */
  private static long lowBits(int hash) {
    return bit(hash & 127, 0) | bit((hash >>> 7) & 127, 0);
  }

  private static long highBits(int hash) {
    return bit(hash & 127, 64) | bit((hash >>> 7) & 127, 64);
  }

  /** {@code 1 << (index - base)} when {@code index} is in the word starting at {@code base}, else 0. */
  private static long bit(int index, int base) {
    return index >= base && index < base + 64 ? 1L << (index - base) : 0L;
  }

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
