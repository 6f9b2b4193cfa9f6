package io.kubeaccel.core.sharing;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubeaccel.core.kube.NodePods;
import io.kubeaccel.core.ledger.ContainerRef;
import io.kubeaccel.core.ledger.Ledger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The containers of this node's pods that an Allocate could belong to, in the order the kubelet admits them: pods the
 * extender assigned to this node first (oldest {@code predicate-time} first), then the others (oldest first).
 */
final class Candidates {

  private final ShareFamily family;
  private final NodePods pods;
  private final Ledger ledger;
  private final String nodeName;

  Candidates(ShareFamily family, NodePods pods, Ledger ledger, String nodeName) {
    this.family = family;
    this.pods = pods;
    this.ledger = ledger;
    this.nodeName = nodeName;
  }

  /** Containers of pending pods asking {@code amount} of {@code resource} that hold no grant yet, best first. */
  List<ContainerDemand> asking(String resource, long amount) {
    List<Ranked> ranked = new ArrayList<>();
    for (Pod pod : pods.pods()) {
      if (!pending(pod)) {
        continue;
      }
      for (ContainerDemand demand : Demands.of(pod, family)) {
        if (demand.amountOf(family, resource) == amount
            && ledger.grant(refOf(demand)).isEmpty()) {
          ranked.add(new Ranked(demand, rank(pod), demand.index()));
        }
      }
    }
    ranked.sort(Comparator.comparing(Ranked::rank).thenComparingInt(Ranked::index));
    return ranked.stream().map(Ranked::demand).toList();
  }

  /** The demand of container {@code container} of pod {@code namespace/name}, if that pod is on this node. */
  Optional<ContainerDemand> of(String namespace, String name, String container) {
    return pods.pods().stream()
        .filter(p -> namespace.equals(p.getMetadata().getNamespace())
            && name.equals(p.getMetadata().getName()))
        .flatMap(p -> Demands.of(p, family).stream())
        .filter(d -> d.container().equals(container))
        .findFirst();
  }

  /** The card indexes the extender chose for {@code demand}'s container on this node, or none. */
  List<Integer> extenderChoice(ContainerDemand demand) {
    Pod pod = pods.byUid(demand.pod().uid()).orElse(null);
    if (pod == null || !assignedHere(pod)) {
      return List.of();
    }
    String value = annotations(pod).get(family.cardIndexAnnotation(demand.index()));
    List<Integer> indexes = new ArrayList<>();
    if (value == null || value.isBlank()) {
      return List.of();
    }
    for (String part : value.split(",")) {
      try {
        indexes.add(Integer.parseInt(part.trim()));
      } catch (NumberFormatException e) {
        return List.of(); // not the extender's writing: ignore rather than trust it
      }
    }
    return indexes;
  }

  static ContainerRef refOf(ContainerDemand demand) {
    return new ContainerRef(
        demand.pod().uid(), demand.pod().namespace(), demand.pod().name(), demand.container());
  }

  private static boolean pending(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return pod.getMetadata().getDeletionTimestamp() == null
        && (phase == null || phase.equals("Pending"));
  }

  private boolean assignedHere(Pod pod) {
    Map<String, String> annotations = annotations(pod);
    return nodeName.equals(annotations.get(family.nodeAnnotation()))
        && !"true".equals(annotations.get(family.assignedAnnotation()));
  }

  /** Assigned pods first by extender time, then others by creation time; ties by namespace/name. */
  private Rank rank(Pod pod) {
    boolean assigned = assignedHere(pod);
    long time = 0;
    if (assigned) {
      try {
        time = Long.parseLong(annotations(pod).getOrDefault(family.timeAnnotation(), "0"));
      } catch (NumberFormatException e) {
        time = 0;
      }
    } else if (pod.getMetadata().getCreationTimestamp() != null) {
      time = java.time.Instant.parse(pod.getMetadata().getCreationTimestamp()).toEpochMilli()
          * 1_000_000;
    }
    return new Rank(
        assigned ? 0 : 1,
        time,
        pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName());
  }

  private static Map<String, String> annotations(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    return annotations == null ? Map.of() : annotations;
  }

  private record Rank(int group, long time, String name) implements Comparable<Rank> {
    @Override
    public int compareTo(Rank other) {
      return Comparator.comparingInt(Rank::group)
          .thenComparingLong(Rank::time)
          .thenComparing(Rank::name)
          .compare(this, other);
    }
  }

  private record Ranked(ContainerDemand demand, Rank rank, int index) {}
}
