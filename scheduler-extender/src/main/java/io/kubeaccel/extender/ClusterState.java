package io.kubeaccel.extender;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.kubeaccel.core.sharing.ShareFamily;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The cluster as the extender needs it, kept by the informers and by its own grants: per node the published cards,
 * the pods holding or assigned there, and the grants it made that the informers do not show yet. Reads never call the
 * API server. Grants on a node are serialised by that node's lock; informer updates replace a node's {@link
 * NodeSnapshot} atomically, so a reader sees a pod either as a reservation or as a claim, never as neither.
 */
final class ClusterState {

  private final ConcurrentHashMap<String, NodeEntry> nodes = new ConcurrentHashMap<>();
  /** The node each pod's claim is recorded on, to move it when the pod moves. */
  private final ConcurrentHashMap<String, String> claimNodeByUid = new ConcurrentHashMap<>();

  private final ConcurrentHashMap<String, Reservation> reservationsByUid =
      new ConcurrentHashMap<>();
  private final Clock clock;
  private final long ttlNanos;

  /**
   * @param assignmentTtl how long a grant or an assignment annotation counts while its pod is not bound
   */
  ClusterState(Clock clock, Duration assignmentTtl) {
    this.clock = clock;
    this.ttlNanos = assignmentTtl.toNanos();
  }

  /** One node's state, its cached use and last verdict, and the lock its grants take. */
  static final class NodeEntry {
    final AtomicReference<NodeSnapshot> snapshot = new AtomicReference<>(NodeSnapshot.EMPTY);
    final ReentrantLock grants = new ReentrantLock();
    volatile CachedUsage cached;
    /** The last few verdicts, one per pod shape; replaced round-robin. */
    final AtomicReferenceArray<Memo> memos = new AtomicReferenceArray<>(MEMOS_PER_NODE);

    final AtomicInteger nextMemo = new AtomicInteger();

    /** The node's current state. */
    NodeSnapshot current() {
      return snapshot.get();
    }
  }

  /** Pod shapes remembered per node: a cluster schedules a few workloads' replicas at a time. */
  static final int MEMOS_PER_NODE = 8;

  /** A verdict remembered for one node state and one pod shape, until {@code validUntilNanos}. */
  record Memo(long version, String shape, long validUntilNanos, NodeVerdict verdict) {}

  /**
   * The verdict remembered for {@code shape} on {@code snapshot} of {@code entry}'s node, if still valid.
   *
   * @param shape an interned {@link PodRequest#shape()}: shapes are compared by identity
   */
  NodeVerdict remembered(NodeEntry entry, NodeSnapshot snapshot, String shape) {
    long now = Long.MIN_VALUE;
    for (int i = 0; i < MEMOS_PER_NODE; i++) {
      Memo memo = entry.memos.get(i);
      if (memo != null && memo.version() == snapshot.version() && memo.shape() == shape) {
        if (now == Long.MIN_VALUE) {
          now = nowNanos();
        }
        if (now < memo.validUntilNanos()) {
          return memo.verdict();
        }
      }
    }
    return null;
  }

  /** Remembers {@code memo} for {@code entry}'s node (its shape interned, as {@link #remembered} expects). */
  void remember(NodeEntry entry, Memo memo) {
    for (int i = 0; i < MEMOS_PER_NODE; i++) {
      Memo old = entry.memos.get(i);
      if (old == null || old.version() != memo.version() || old.shape() == memo.shape()) {
        entry.memos.set(i, memo); // empty, stale or the same shape's slot
        return;
      }
    }
    entry.memos.set(Math.floorMod(entry.nextMemo.getAndIncrement(), MEMOS_PER_NODE), memo);
  }

  private record CachedUsage(long version, String family, NodeUsage usage) {}

  /** Now, as Unix nanoseconds: the unit of {@code predicate-time}. */
  long nowNanos() {
    Instant now = clock.instant();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  // Informer side.

  void nodeChanged(Node node) {
    NodeCards cards = NodeCards.of(node);
    update(node.getMetadata().getName(), s -> s.withCards(cards));
  }

  void nodeGone(String name) {
    update(name, s -> s.withCards(null));
  }

  /** Records what {@code pod} holds now; a claim is recorded on its new node before it leaves the old one. */
  void podChanged(Pod pod) {
    String uid = pod.getMetadata().getUid();
    if (uid == null) {
      return;
    }
    PodClaim claim = PodClaim.of(pod).orElse(null);
    String oldNode = claimNodeByUid.get(uid);
    if (claim != null) {
      Reservation reservation = reservationsByUid.get(uid);
      update(claim.node(), s -> s.withClaim(claim));
      if (reservation != null
          && reservation.node().equals(claim.node())
          && NodeSnapshot.covers(claim, reservation)) {
        reservationsByUid.remove(uid, reservation); // withClaim dropped it from the node
      }
      claimNodeByUid.put(uid, claim.node());
    }
    if (oldNode != null && (claim == null || !oldNode.equals(claim.node()))) {
      update(oldNode, s -> s.withoutClaim(uid));
      if (claim == null) {
        claimNodeByUid.remove(uid, oldNode);
      }
    }
    if (PodClaim.terminal(pod)) {
      release(uid);
    }
  }

  void podGone(String uid) {
    if (uid == null) {
      return;
    }
    String node = claimNodeByUid.remove(uid);
    if (node != null) {
      update(node, s -> s.withoutClaim(uid));
    }
    release(uid);
  }

  // Request side.

  /** The node's current state, or empty when the extender has never heard of it. */
  Optional<NodeSnapshot> snapshot(String node) {
    NodeEntry entry = nodes.get(node);
    return entry == null ? Optional.empty() : Optional.of(entry.snapshot.get());
  }

  /**
   * The node's entry, or null when the extender has never heard of it: one lookup for all a request asks of a node
   * ({@link NodeEntry#current()}, {@link #remembered}, {@link #remember}, {@link #usage}).
   */
  NodeEntry known(String node) {
    return nodes.get(node);
  }

  /**
   * The use of {@code snapshot}'s cards (taken from {@code entry} just before) for {@code family}, without the pod
   * {@code excludedUid}. Cached per node state while the pod is not part of it.
   */
  NodeUsage usage(NodeEntry entry, NodeSnapshot snapshot, ShareFamily family, String excludedUid) {
    long now = nowNanos();
    boolean excludes = excludedUid != null && snapshot.holds(excludedUid);
    if (!excludes && entry != null) {
      CachedUsage cached = entry.cached;
      if (cached != null
          && cached.version() == snapshot.version()
          && cached.family().equals(family.name())
          && now < cached.usage().validUntilNanos()
          && entry.snapshot.get() == snapshot) {
        return cached.usage();
      }
    }
    NodeUsage usage = NodeUsage.of(snapshot, family, excludes ? excludedUid : null, now, ttlNanos);
    if (!excludes && entry != null) {
      entry.cached = new CachedUsage(snapshot.version(), family.name(), usage);
    }
    return usage;
  }

  /** Runs {@code grant} holding {@code node}'s grant lock: decisions that take capacity there never overlap. */
  <T> T underNodeLock(String node, Supplier<T> grant) {
    ReentrantLock lock = entry(node).grants;
    lock.lock();
    try {
      return grant.get();
    } finally {
      lock.unlock();
    }
  }

  /** Counts {@code reservation} on its node from now on; the pod's earlier reservation, if any, ends. */
  void reserve(Reservation reservation) {
    release(reservation.pod().uid());
    reservationsByUid.put(reservation.pod().uid(), reservation);
    update(reservation.node(), s -> s.withReservation(reservation));
  }

  Optional<Reservation> reservation(String uid) {
    return Optional.ofNullable(reservationsByUid.get(uid));
  }

  /** Ends the pod's reservation, if it has one. */
  void release(String uid) {
    Reservation reservation = reservationsByUid.remove(uid);
    if (reservation != null) {
      update(reservation.node(), s -> s.withoutReservation(reservation));
    }
  }

  /** Ends {@code reservation} if it is still the pod's current one. */
  void release(Reservation reservation) {
    if (reservationsByUid.remove(reservation.pod().uid(), reservation)) {
      update(reservation.node(), s -> s.withoutReservation(reservation));
    }
  }

  /** Forgets reservations older than the TTL (their pods never came back from the API server). */
  int expireReservations() {
    long now = nowNanos();
    int expired = 0;
    for (Reservation reservation : reservationsByUid.values()) {
      if (NodeUsage.plus(reservation.timeNanos(), ttlNanos) <= now) {
        release(reservation);
        expired++;
      }
    }
    return expired;
  }

  int reservationCount() {
    return reservationsByUid.size();
  }

  int claimCount() {
    return claimNodeByUid.size();
  }

  /** Nodes whose agent publishes readable cards. */
  long nodesWithCards() {
    return nodes.values().stream()
        .map(e -> e.snapshot.get().cards())
        .filter(c -> c != null && c.problem() == null)
        .count();
  }

  private NodeEntry entry(String node) {
    return nodes.computeIfAbsent(node, n -> new NodeEntry());
  }

  private NodeSnapshot update(String node, UnaryOperator<NodeSnapshot> change) {
    return entry(node).snapshot.updateAndGet(change);
  }
}
