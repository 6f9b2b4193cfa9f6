package io.kubeaccel.core.sharing;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.kube.NodeMetadataPublisher;
import io.kubeaccel.core.ledger.CardUse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishes each card's capacity and current use on the Node as one JSON annotation, {@value #ANNOTATION}, which the
 * scheduler extender reads to fit containers card by card. Writes are coalesced and rate-limited by the publisher.
 */
public final class CapacityPublisher {

  /** The annotation the extender reads. */
  public static final String ANNOTATION = "kubeaccel.io/gpus";

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final ShareFamily family;
  private final NodeMetadataPublisher publisher;

  public CapacityPublisher(ShareFamily family, NodeMetadataPublisher publisher) {
    this.family = family;
    this.publisher = publisher;
  }

  /** Publishes the cards of {@code inventory} with what {@code use} holds. */
  public void publish(Inventory inventory, Map<String, CardUse> use) {
    publisher.publish(
        Set.of(ANNOTATION), Map.of(), Map.of(ANNOTATION, json(family, inventory, use)));
  }

  /**
   * Removes the annotation: what an agent that shares no card (whole cards) does, so that the capacity a share mode
   * published before a mode switch does not outlive it.
   */
  public static void withdraw(NodeMetadataPublisher publisher) {
    publisher.publish(Set.of(ANNOTATION), Map.of(), Map.of());
  }

  /** The annotation's value: one object per card, in index order. */
  static String json(ShareFamily family, Inventory inventory, Map<String, CardUse> use) {
    List<Map<String, Object>> cards = new ArrayList<>();
    for (Gpu gpu : inventory.gpus()) {
      CardUse used = use.getOrDefault(gpu.uuid(), new CardUse(0, 0, 0, false));
      Map<String, Object> card = new LinkedHashMap<>();
      card.put("uuid", gpu.uuid());
      card.put("index", gpu.index());
      card.put("model", gpu.model());
      card.put("memoryMiB", gpu.memoryMiB());
      card.put("numa", gpu.numaNode());
      card.put("health", inventory.health(gpu.uuid()).wireValue());
      card.put("mode", family.name());
      card.put("mig", gpu.mig() == Gpu.MigState.ENABLED);
      card.put("coreResource", family.coreResource());
      card.put("memoryResource", family.memoryResource());
      card.put("cores", family.coresPerCard());
      card.put("memoryUnits", family.memoryUnitsOf(gpu.memoryBytes()));
      card.put("usedCores", used.cores());
      card.put("usedMemoryUnits", used.memoryUnits());
      card.put("containers", used.containers());
      card.put("exclusive", used.exclusive());
      cards.add(card);
    }
    return JSON.writeValueAsString(cards);
  }
}
