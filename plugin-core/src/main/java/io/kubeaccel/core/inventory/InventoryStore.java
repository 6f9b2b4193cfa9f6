package io.kubeaccel.core.inventory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Holds the node's current {@link Inventory} snapshot and tells subscribers of every change.
 *
 * <p>Updates are serialised; subscribers run on the updating thread, in subscription order, after the new snapshot is
 * visible to {@link #current()}. A subscriber must be quick and must not throw (a throwing subscriber is logged by the
 * caller's thread and does not stop the others).
 */
public final class InventoryStore {

  private final List<Consumer<Inventory>> subscribers = new CopyOnWriteArrayList<>();
  private volatile Inventory current;

  public InventoryStore(Inventory initial) {
    this.current = initial;
  }

  /** The current snapshot. */
  public Inventory current() {
    return current;
  }

  /**
   * Applies {@code change} to the current snapshot. When it returns a different snapshot, that becomes current and
   * every subscriber is told.
   *
   * @return the snapshot current after the change
   */
  public Inventory update(UnaryOperator<Inventory> change) {
    Inventory next;
    synchronized (this) {
      Inventory before = current;
      next = change.apply(before);
      if (next == before) {
        return before;
      }
      current = next;
      for (Consumer<Inventory> subscriber : subscribers) {
        try {
          subscriber.accept(next);
        } catch (RuntimeException e) {
          org.slf4j.LoggerFactory.getLogger(InventoryStore.class)
              .error("inventory subscriber failed generation={}", next.generation(), e);
        }
      }
    }
    return next;
  }

  /** Replaces the whole snapshot (e.g. when NVML becomes available), keeping generations increasing. */
  public Inventory replace(Inventory fresh) {
    return update(before -> new Inventory(
        before.generation() + 1,
        fresh.gpus(),
        fresh.topology(),
        fresh.health(),
        fresh.driver(),
        fresh.unavailableReason()));
  }

  /** Adds a subscriber; it is told of changes from now on. Returns a handle that removes it. */
  public AutoCloseable subscribe(Consumer<Inventory> subscriber) {
    subscribers.add(subscriber);
    return () -> subscribers.remove(subscriber);
  }
}
