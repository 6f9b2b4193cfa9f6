package io.kubeaccel.core.node;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Health;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.InventoryStore;
import io.kubeaccel.core.kube.NodeEvents;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Raises a Kubernetes Event on the Node for every card health transition, once per transition: Warning {@code
 * GpuUnhealthy} with the reason, Normal {@code GpuHealthy} when it returns. A card already Unhealthy when watching
 * starts (withheld because another mode's containers hold it, an XID during start-up) gets its Warning then.
 */
public final class HealthEvents implements Consumer<Inventory> {

  private final NodeEvents events;
  private final Map<String, Boolean> known = new HashMap<>();
  private long generation = Long.MIN_VALUE;

  private HealthEvents(NodeEvents events) {
    this.events = events;
  }

  /** Raises Events for the cards of {@code store} that are Unhealthy now, then for every transition; returns the subscription. */
  public static AutoCloseable watch(InventoryStore store, NodeEvents events) {
    HealthEvents watcher = new HealthEvents(events);
    AutoCloseable subscription = store.subscribe(watcher);
    // After subscribing, so no change is missed; a snapshot that arrives late is ignored by its
    // generation.
    watcher.accept(store.current());
    return subscription;
  }

  @Override
  public synchronized void accept(Inventory inventory) {
    if (inventory.generation() <= generation) {
      return;
    }
    generation = inventory.generation();
    for (Gpu gpu : inventory.gpus()) {
      Health health = inventory.health(gpu.uuid());
      Boolean before = known.put(gpu.uuid(), health.healthy());
      if (before != null && before == health.healthy()) {
        continue;
      }
      if (health.healthy()) {
        if (before != null) {
          events.normal(
              "GpuHealthy", "GPU " + gpu.index() + " (" + gpu.uuid() + ") is healthy again");
        }
      } else {
        events.warning(
            "GpuUnhealthy",
            "GPU " + gpu.index() + " (" + gpu.uuid() + ") is unhealthy: " + health.reason());
      }
    }
  }
}
