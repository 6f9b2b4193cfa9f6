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
 * GpuUnhealthy} with the reason, Normal {@code GpuHealthy} when it returns.
 */
public final class HealthEvents implements Consumer<Inventory> {

  private final NodeEvents events;
  private final Map<String, Boolean> known = new HashMap<>();

  private HealthEvents(NodeEvents events, Inventory initial) {
    this.events = events;
    for (Gpu gpu : initial.gpus()) {
      known.put(gpu.uuid(), initial.health(gpu.uuid()).healthy());
    }
  }

  /** Starts raising Events for the transitions of {@code store} from now on; returns the subscription. */
  public static AutoCloseable watch(InventoryStore store, NodeEvents events) {
    return store.subscribe(new HealthEvents(events, store.current()));
  }

  @Override
  public synchronized void accept(Inventory inventory) {
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
