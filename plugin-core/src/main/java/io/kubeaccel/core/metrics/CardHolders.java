package io.kubeaccel.core.metrics;

import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.ledger.Ledger;
import io.kubeaccel.core.ledger.PodResourcesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which containers hold which cards: the source of {@code kubeaccel_gpu_allocated} and {@code
 * kubeaccel_container_gpu_allocated}, and so of the "allocated but idle" alert. Asked on the metrics sampling thread
 * once per sample; it may block briefly (a PodResources call with a deadline) and must not throw.
 */
@FunctionalInterface
public interface CardHolders extends AutoCloseable {

  /**
   * What the containers of this node hold now, one entry per container and card, for the cards of {@code inventory};
   * empty when it cannot be known (the kubelet does not answer).
   */
  Optional<List<CardHolding>> holdings(Inventory inventory);

  /** Releases what this source owns; nothing by default. */
  @Override
  default void close() {}

  /** Nothing is known about holders: the allocation gauges are absent. */
  CardHolders NONE = inventory -> Optional.empty();

  /**
   * The kubelet's PodResources {@code List} on {@code socket}, each device ID taken as the card it names: a card or
   * MIG UUID, or one followed by a suffix ({@code <uuid>::<n>} replicas). Right for whole cards, MIG devices and
   * time-sliced replicas, whose IDs are the card; modes whose device IDs are units of a card the agent picks later
   * (vGPU, MPS) should use {@link #fromLedger}. The client is made at the first call and closed by {@link #close()};
   * a socket path too long for a unix socket reads as a kubelet that does not answer.
   */
  static CardHolders fromPodResources(Path socket, Duration timeout) {
    return new PodResourcesHolders(socket, timeout);
  }

  /** Like {@link #fromPodResources(Path, Duration)} through {@code client}, which the caller owns and closes. */
  static CardHolders fromPodResources(PodResourcesClient client) {
    return new PodResourcesHolders(Objects.requireNonNull(client, "client"));
  }

  /** The cards the shared modes' {@link Ledger} granted, with the pods' names. */
  static CardHolders fromLedger(Ledger ledger) {
    Objects.requireNonNull(ledger, "ledger");
    return inventory -> Optional.of(ledger.grants().stream()
        .flatMap(grant -> grant.shares().stream()
            .map(share -> new CardHolding(
                grant.container().namespace(),
                grant.container().pod(),
                grant.container().container(),
                share.cardUuid())))
        .filter(holding -> inventory.gpu(holding.cardUuid()).isPresent())
        .distinct()
        .toList());
  }

  /**
   * One container holding (a share of) one card.
   *
   * @param cardUuid the physical card's UUID, also for a MIG device or a replica of the card
   */
  record CardHolding(String namespace, String pod, String container, String cardUuid) {

    public CardHolding {
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(pod, "pod");
      Objects.requireNonNull(container, "container");
      Objects.requireNonNull(cardUuid, "cardUuid");
    }
  }
}
