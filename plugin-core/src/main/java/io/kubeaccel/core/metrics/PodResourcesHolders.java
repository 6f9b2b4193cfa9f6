package io.kubeaccel.core.metrics;

import io.kubeaccel.core.inventory.CardIds;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.ledger.ListedContainer;
import io.kubeaccel.core.ledger.PodResourcesClient;
import io.kubeaccel.core.ledger.PodResourcesException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link CardHolders} from the kubelet's PodResources {@code List}: device IDs that name a card. */
final class PodResourcesHolders implements CardHolders {

  private static final Logger log = LoggerFactory.getLogger(PodResourcesHolders.class);

  /** Where to dial, or null when the client is the caller's (then never closed here). */
  private final Path socket;

  private final Duration timeout;
  private PodResourcesClient client;
  private boolean failing;

  /** Nothing is dialled (nor any thread started) before the first sample asks. */
  PodResourcesHolders(Path socket, Duration timeout) {
    this.socket = socket;
    this.timeout = timeout;
  }

  /** Asks {@code client}, which the caller owns and closes. */
  PodResourcesHolders(PodResourcesClient client) {
    this.socket = null;
    this.timeout = null;
    this.client = client;
  }

  @Override
  public synchronized Optional<List<CardHolding>> holdings(Inventory inventory) {
    List<ListedContainer> listed;
    try {
      if (client == null) {
        client = new PodResourcesClient(socket, timeout);
      }
      listed = client.list();
    } catch (PodResourcesException | IllegalArgumentException e) {
      // Every sample asks again: warn once per outage, not every ten seconds.
      if (!failing) {
        log.warn(
            "PodResources unavailable, allocation metrics absent reason=\"{}\"", e.getMessage());
        failing = true;
      }
      return Optional.empty();
    }
    if (failing) {
      log.info("PodResources available again, allocation metrics back");
      failing = false;
    }
    return Optional.of(cardsHeld(listed, inventory));
  }

  /** One entry per container and card named by any of its device IDs, in the kubelet's order. */
  static List<CardHolding> cardsHeld(List<ListedContainer> listed, Inventory inventory) {
    Set<CardHolding> held = new LinkedHashSet<>();
    for (ListedContainer container : listed) {
      for (Map.Entry<String, List<String>> resource :
          container.deviceIdsByResource().entrySet()) {
        for (String id : resource.getValue()) {
          CardIds.cardOf(resource.getKey(), id, inventory)
              .ifPresent(card -> held.add(new CardHolding(
                  container.namespace(), container.pod(), container.container(), card)));
        }
      }
    }
    return new ArrayList<>(held);
  }

  @Override
  public synchronized void close() {
    if (client != null && socket != null) {
      client.close();
      client = null;
    }
  }
}
