package io.kubeaccel.extender;

import io.kubeaccel.core.kube.PodRef;
import io.kubeaccel.core.sharing.Assignment;
import io.kubeaccel.core.sharing.PodFit;
import io.kubeaccel.core.sharing.ShareFamily;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Cards this extender granted a pod and the pod informer does not show yet: counted on the node until the pod comes
 * back with the matching assignment annotations, goes away, or the grant is older than the assignment TTL.
 *
 * @param pod the pod
 * @param node the node
 * @param family the family
 * @param containers each asking container with its cards
 * @param timeNanos the {@code predicate-time} written with it (Unix nanoseconds), which identifies it
 */
record Reservation(
    PodRef pod,
    String node,
    ShareFamily family,
    List<PodFit.ContainerCards> containers,
    long timeNanos) {

  Reservation {
    containers = List.copyOf(containers);
  }

  /** The grant of {@code fits}' cards on {@code node} to {@code request}'s pod, made at {@code timeNanos}. */
  static Reservation of(PodRequest request, String node, NodeVerdict.Fits fits, long timeNanos) {
    return new Reservation(
        request.pod(), node, request.family(), fits.fit().containers(), timeNanos);
  }

  /** E.g. {@code main:1 worker:0,1}. */
  String describeCards() {
    return containers.stream()
        .map(c -> c.demand().container() + ":"
            + c.cardIndexes().stream().map(String::valueOf).collect(Collectors.joining(",")))
        .collect(Collectors.joining(" "));
  }

  /** The assignment annotations that record this grant on the pod. */
  Map<String, String> annotations() {
    Map<Integer, List<Integer>> cards = new LinkedHashMap<>();
    for (PodFit.ContainerCards container : containers) {
      cards.put(container.demand().index(), container.cardIndexes());
    }
    return new Assignment(node, timeNanos, false, cards).annotations(family);
  }
}
