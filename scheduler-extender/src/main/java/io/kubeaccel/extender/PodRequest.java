package io.kubeaccel.extender;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubeaccel.core.kube.PodRef;
import io.kubeaccel.core.sharing.ContainerDemand;
import io.kubeaccel.core.sharing.PlacementPolicy;
import io.kubeaccel.core.sharing.PodFit;
import io.kubeaccel.core.sharing.ShareFamily;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a pod asks of the extender: its family's demands and the policies that apply to it (the cluster's defaults,
 * overridden by the pod's annotations {@value #NODE_POLICY} and {@value #CARD_POLICY}, and its {@link ModelFilter}).
 *
 * @param pod the pod
 * @param family the family its containers ask for
 * @param demands the asking containers, in spec order
 * @param nodePolicy binpack: prefer the fullest node; spread: the emptiest
 * @param cardPolicy binpack: the fullest card a share fits on; spread: the emptiest
 * @param models the card models it accepts
 */
record PodRequest(
    PodRef pod,
    ShareFamily family,
    List<ContainerDemand> demands,
    PlacementPolicy nodePolicy,
    PlacementPolicy cardPolicy,
    ModelFilter models) {

  static final String NODE_POLICY = "kubeaccel.io/node-policy";
  static final String CARD_POLICY = "kubeaccel.io/card-policy";

  PodRequest {
    demands = List.copyOf(demands);
  }

  /**
   * What a node's verdict depends on besides the node, as one string: pods of one shape (replicas, typically) get the
   * same verdict on the same node state. E.g. {@code vgpu|main#0=60/40|binpack|binpack|1:4:a100|0}.
   */
  String shape() {
    StringBuilder key = new StringBuilder(64).append(family.name());
    for (ContainerDemand demand : demands) {
      key.append('|')
          .append(demand.container())
          .append('#')
          .append(demand.index())
          .append('=')
          .append(demand.cores())
          .append('/')
          .append(demand.memoryUnits());
    }
    key.append('|').append(nodePolicy.wireName()).append('|').append(cardPolicy.wireName());
    // Model substrings come from users and may hold any character: length-prefixed, they cannot
    // collide.
    for (List<String> models : List.of(models.include(), models.exclude())) {
      key.append('|').append(models.size());
      models.forEach(model -> key.append(':').append(model.length()).append(':').append(model));
    }
    // Interned: remembered verdicts compare shapes by identity, without reading the characters of
    // thousands of nodes' memos (a cache miss each).
    return key.toString().intern();
  }

  /** A pod the extender cannot schedule whatever the node: the message says why. */
  static final class InvalidPodException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidPodException(String message) {
      super(message);
    }
  }

  /**
   * The request of {@code pod}, or empty when it asks for no share family.
   *
   * @throws InvalidPodException when it asks for both families or an annotation holds a wrong value
   */
  static Optional<PodRequest> of(
      Pod pod, PlacementPolicy defaultNodePolicy, PlacementPolicy defaultCardPolicy) {
    ShareFamily family = null;
    List<ContainerDemand> demands = List.of();
    for (ShareFamily candidate : Families.ALL) {
      List<ContainerDemand> asked = PodFit.demands(pod, candidate);
      if (asked.isEmpty()) {
        continue;
      }
      if (family != null) {
        throw new InvalidPodException("pod asks for both " + family.coreResource() + " and "
            + candidate.coreResource() + "; a pod gets shares of one kind only");
      }
      family = candidate;
      demands = asked;
    }
    if (family == null) {
      return Optional.empty();
    }
    Map<String, String> annotations = pod.getMetadata().getAnnotations() == null
        ? Map.of()
        : pod.getMetadata().getAnnotations();
    return Optional.of(new PodRequest(
        PodRef.of(pod),
        family,
        demands,
        policy(annotations, NODE_POLICY, defaultNodePolicy),
        policy(annotations, CARD_POLICY, defaultCardPolicy),
        ModelFilter.of(
            annotations.get(ModelFilter.INCLUDE), annotations.get(ModelFilter.EXCLUDE))));
  }

  private static PlacementPolicy policy(
      Map<String, String> annotations, String key, PlacementPolicy fallback) {
    String value = annotations.get(key);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return PlacementPolicy.parse(value.trim());
    } catch (IllegalArgumentException e) {
      throw new InvalidPodException("annotation " + key + ": " + e.getMessage());
    }
  }
}
