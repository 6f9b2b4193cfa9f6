package io.kubeaccel.extender;

import io.kubeaccel.core.sharing.CardPool;
import io.kubeaccel.core.sharing.CardState;
import io.kubeaccel.core.sharing.PlacementPolicy;
import io.kubeaccel.core.sharing.PodFit;
import io.kubeaccel.core.sharing.PublishedCard;
import io.kubeaccel.core.sharing.ShareFamily;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Decides whether a pod fits a node, card by card, from the {@link ClusterState}: the published cards the pod's model
 * filter accepts, their use, and the agents' own rules and placement ({@link PodFit}); and scores the node 0..10 by
 * the pod's node policy.
 */
final class NodeFitter {

  /** kube-scheduler's MaxExtenderPriority. */
  static final int MAX_SCORE = 10;

  private final ClusterState state;

  NodeFitter(ClusterState state) {
    this.state = state;
  }

  /** The verdict for {@code request} on {@code node} now, remembered for later requests of the same shape. */
  NodeVerdict check(PodRequest request, String node) {
    return check(request, request.shape(), node, true);
  }

  /**
   * @param shape {@code request.shape()} (interned), computed once per request
   * @param memo whether a verdict remembered for this node state and pod shape may answer; grants pass false, as
   *     the cards they take must be chosen for this very pod
   */
  NodeVerdict check(PodRequest request, String shape, String node, boolean memo) {
    ClusterState.NodeEntry entry = state.known(node);
    NodeSnapshot snapshot = entry == null ? null : entry.current();
    if (snapshot == null || snapshot.cards() == null) {
      return new NodeVerdict.Fails("the extender has not seen this Node (yet)", false);
    }
    String uid = request.pod().uid();
    // The pod's own earlier assignment on this node is left out of its verdict: not a shared one.
    boolean own = snapshot.holds(uid);
    if (memo && !own) {
      NodeVerdict remembered = state.remembered(entry, snapshot, shape);
      if (remembered != null) {
        return remembered;
      }
    }
    long[] validUntil = {Long.MAX_VALUE};
    NodeVerdict verdict = decide(request, node, entry, snapshot, validUntil);
    // Broken rules are reported with the pod's name: not a verdict to hand to another pod.
    boolean podSpecific = verdict instanceof NodeVerdict.Fails fails && fails.unresolvable();
    if (!own && !podSpecific) {
      state.remember(
          entry, new ClusterState.Memo(snapshot.version(), shape, validUntil[0], verdict));
    }
    return verdict;
  }

  private NodeVerdict decide(
      PodRequest request,
      String node,
      ClusterState.NodeEntry entry,
      NodeSnapshot snapshot,
      long[] validUntil) {
    NodeCards published = snapshot.cards();
    if (published.problem() != null) {
      return new NodeVerdict.Fails(published.problem(), true);
    }
    ShareFamily family = request.family();
    if (!published.coreResource().equals(family.coreResource())) {
      return new NodeVerdict.Fails(
          "the node serves " + published.coreResource() + " (mode " + published.mode() + "), not "
              + family.coreResource(),
          true);
    }
    NodeUsage usage = state.usage(entry, snapshot, family, request.pod().uid());
    validUntil[0] = usage.validUntilNanos();
    CardPool pool = usage.pool();
    if (request.models().restricts()) {
      List<PublishedCard> cards = usage.cards().stream()
          .filter(c -> request.models().accepts(c.model()))
          .toList();
      if (cards.isEmpty()) {
        return new NodeVerdict.Fails(
            "no GPU model matches " + request.models().describe() + "; the node has "
                + models(usage.cards()),
            true);
      }
      pool = CardPool.ofPublished(family, cards, usage.use());
    }
    PodFit.Result result = PodFit.fit(family, pool, request.demands(), request.cardPolicy());
    if (result instanceof PodFit.NoFit noFit) {
      return new NodeVerdict.Fails(noFit.reason(), noFit.unresolvable());
    }
    PodFit.Fits fits = (PodFit.Fits) result;
    return new NodeVerdict.Fits(fits, score(fits.after(), request.nodePolicy()));
  }

  /**
   * How full the node's (eligible, healthy) cards would be with the pod, cores and memory weighed alike: binpack
   * scores a full node 10, spread an empty one.
   */
  static int score(CardPool after, PlacementPolicy nodePolicy) {
    long cores = 0;
    long usedCores = 0;
    long memory = 0;
    long usedMemory = 0;
    for (CardState card : after.cards()) {
      if (!card.healthy()) {
        continue;
      }
      cores += card.cores();
      usedCores += card.cores() - card.freeCores();
      memory += card.memoryUnits();
      usedMemory += card.memoryUnits() - card.freeMemoryUnits();
    }
    double full = 0.5 * ratio(usedCores, cores) + 0.5 * ratio(usedMemory, memory);
    int binpack = (int) Math.round(MAX_SCORE * full);
    return nodePolicy == PlacementPolicy.BINPACK ? binpack : MAX_SCORE - binpack;
  }

  private static double ratio(long used, long total) {
    return total <= 0 ? 1 : Math.min(1, Math.max(0, (double) used / total));
  }

  /** E.g. {@code 2 x Tesla T4, 1 x NVIDIA A100-SXM4-40GB}. */
  private static String models(List<PublishedCard> cards) {
    Map<String, Long> counts = cards.stream()
        .collect(Collectors.groupingBy(PublishedCard::model, TreeMap::new, Collectors.counting()));
    return counts.entrySet().stream()
        .map(e -> e.getValue() + " x " + (e.getKey().isEmpty() ? "(unnamed)" : e.getKey()))
        .collect(Collectors.joining(", "));
  }
}
