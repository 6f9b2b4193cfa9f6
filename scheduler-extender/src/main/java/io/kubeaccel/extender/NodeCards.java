package io.kubeaccel.extender;

import io.fabric8.kubernetes.api.model.Node;
import io.kubeaccel.core.sharing.CapacityPublisher;
import io.kubeaccel.core.sharing.PublishedCard;
import java.util.List;
import java.util.Map;

/**
 * A node's cards as its agent publishes them in {@value CapacityPublisher#ANNOTATION}, read once per Node change.
 *
 * @param cards the cards, in the agent's order; empty when {@code problem} is set
 * @param coreResource the core resource the cards serve (one family per node), empty when there are no cards
 * @param mode the family's short name as published
 * @param problem why the node cannot take shares at all (no annotation, unreadable, mixed families), else null
 */
record NodeCards(List<PublishedCard> cards, String coreResource, String mode, String problem) {

  NodeCards {
    cards = List.copyOf(cards);
  }

  static NodeCards of(Node node) {
    Map<String, String> annotations =
        node.getMetadata() == null ? null : node.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(CapacityPublisher.ANNOTATION);
    if (value == null) {
      return failed("no " + CapacityPublisher.ANNOTATION
          + " annotation: no vgpu or mps agent publishes GPUs on this node");
    }
    List<PublishedCard> cards;
    try {
      cards = PublishedCard.parse(value);
    } catch (IllegalArgumentException e) {
      return failed(
          "annotation " + CapacityPublisher.ANNOTATION + " is unreadable: " + e.getMessage());
    }
    if (cards.isEmpty()) {
      return failed("the node's agent publishes no GPU");
    }
    String core = cards.get(0).coreResource();
    if (cards.stream().anyMatch(c -> !c.coreResource().equals(core))) {
      return failed("annotation " + CapacityPublisher.ANNOTATION + " mixes several resources");
    }
    return new NodeCards(cards, core, cards.get(0).mode(), null);
  }

  private static NodeCards failed(String problem) {
    return new NodeCards(List.of(), "", "", problem);
  }
}
