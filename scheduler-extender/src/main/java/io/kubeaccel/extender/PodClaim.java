package io.kubeaccel.extender;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubeaccel.core.sharing.Assignment;
import io.kubeaccel.core.sharing.ContainerDemand;
import io.kubeaccel.core.sharing.PodFit;
import io.kubeaccel.core.sharing.ShareFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a pod holds, or is about to hold, on a node, as the pod informer shows it: the node it is bound to, or the node
 * an extender assigned it to (annotations) while it is not bound yet; and per asking container the cards from the
 * assignment annotations, or none when the agent has still to choose (a pod scheduled without the extender).
 *
 * @param uid the pod's UID
 * @param namespace the pod's namespace
 * @param name the pod's name
 * @param node where it holds
 * @param family the family's short name
 * @param containers each asking container with its card indexes (empty: not known yet)
 * @param bound whether the pod is bound to {@code node} ({@code spec.nodeName})
 * @param timeNanos the assignment's {@code predicate-time}, 0 when none
 */
record PodClaim(
    String uid,
    String namespace,
    String name,
    String node,
    String family,
    List<PodFit.ContainerCards> containers,
    boolean bound,
    long timeNanos) {

  PodClaim {
    containers = List.copyOf(containers);
  }

  /** The claim {@code pod} makes, or empty when it asks for no share, has finished, or is not placed anywhere. */
  static Optional<PodClaim> of(Pod pod) {
    if (pod.getMetadata() == null || pod.getMetadata().getUid() == null || terminal(pod)) {
      return Optional.empty();
    }
    for (ShareFamily family : Families.ALL) {
      List<ContainerDemand> demands = PodFit.demands(pod, family);
      if (!demands.isEmpty()) {
        return of(pod, family, demands);
      }
    }
    return Optional.empty();
  }

  private static Optional<PodClaim> of(Pod pod, ShareFamily family, List<ContainerDemand> demands) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    Assignment assignment = Assignment.read(family, annotations).orElse(null);
    String boundTo = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    String node;
    boolean cardsKnown;
    if (boundTo != null && !boundTo.isEmpty()) {
      node = boundTo;
      // The agent writes the cards it placed on (assigned=true); an extender's choice counts for
      // its node only.
      cardsKnown =
          assignment != null && (assignment.assigned() || boundTo.equals(assignment.node()));
    } else if (assignment != null && !assignment.node().isEmpty() && !assignment.assigned()) {
      node = assignment.node();
      cardsKnown = true;
    } else {
      return Optional.empty();
    }
    List<PodFit.ContainerCards> containers = new ArrayList<>();
    for (ContainerDemand demand : demands) {
      List<Integer> cards = cardsKnown
          ? assignment.cardsByContainer().getOrDefault(demand.index(), List.of())
          : List.of();
      int expected = demand.wholeCards() ? demand.cardCount() : 1;
      containers.add(
          new PodFit.ContainerCards(demand, cards.size() == expected ? cards : List.of()));
    }
    return Optional.of(new PodClaim(
        pod.getMetadata().getUid(),
        pod.getMetadata().getNamespace(),
        pod.getMetadata().getName(),
        node,
        family.name(),
        containers,
        boundTo != null && !boundTo.isEmpty(),
        assignment == null ? 0 : assignment.timeNanos()));
  }

  static boolean terminal(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }
}
