package io.kubeaccel.mps.daemon;

import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.InventoryStore;
import java.time.Clock;
import java.util.List;

/**
 * The MPS cards' health as the daemon makes it: all unhealthy with a reason starting {@value
 * MpsDaemonSupervisor#DOWN} while it does not answer; healthy again afterwards, but only the cards that carry that
 * reason (a card out for an XID or for another mode's containers keeps its own). Idempotent: applying the same state
 * twice changes nothing, so it can be re-applied after every check.
 */
final class DaemonHealthMarks {

  private final Clock clock;
  private volatile InventoryStore store;
  private volatile List<String> cards = List.of();

  DaemonHealthMarks(Clock clock) {
    this.clock = clock;
  }

  void cards(List<String> uuids) {
    cards = List.copyOf(uuids);
  }

  /** Marks go to {@code inventory} from now on; nothing is marked before. */
  void attach(InventoryStore inventory) {
    store = inventory;
  }

  /** Brings the cards in line with the daemon: {@code downReason} is why it is down, or null while it answers. */
  void apply(String downReason) {
    InventoryStore target = store;
    if (target == null) {
      return;
    }
    List<String> served = cards;
    target.update(inventory -> {
      Inventory result = inventory;
      for (String uuid : served) {
        result = downReason != null
            ? result.withProblem(uuid, MpsDaemonSupervisor.DOWN, downReason, clock.instant())
            : result.withoutProblem(uuid, MpsDaemonSupervisor.DOWN, clock.instant());
      }
      return result;
    });
  }
}
