package io.kubeaccel.core.health;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Health;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.InventoryStore;
import io.kubeaccel.nvml.Nvml;
import io.kubeaccel.nvml.NvmlDevice;
import io.kubeaccel.nvml.NvmlException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings cards the health monitor took out back in: after a quiet period without XIDs in which the card answers NVML
 * normally, or at once when a card that stopped answering (fell off the bus) answers again with the same UUID (it was
 * reset). Only the monitor's own reasons are undone; a card withheld for another reason (another mode's containers,
 * the MPS daemon) stays as it is. Called on the monitor's thread.
 */
final class HealthRecovery {

  /** Reason prefix of an XID; the monitor writes {@code XID <n>}. */
  static final String XID = "XID ";
  /** Reason prefix of a card that refused event registration. */
  static final String REFUSED = "event registration refused: ";

  private static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);
  private static final Logger log = LoggerFactory.getLogger(HealthRecovery.class);

  private final Nvml nvml;
  private final InventoryStore store;
  private final Duration quietPeriod;
  private final Clock clock;
  private final Map<String, Instant> lastFault = new HashMap<>();
  private final Set<String> stoppedAnswering = new HashSet<>();
  private Instant lastProbe = Instant.EPOCH;

  HealthRecovery(Nvml nvml, InventoryStore store, Duration quietPeriod, Clock clock) {
    this.nvml = nvml;
    this.store = store;
    this.quietPeriod = quietPeriod;
    this.clock = clock;
  }

  /** A fault on {@code uuid} now: its quiet period starts again. */
  void faulted(String uuid) {
    lastFault.put(uuid, clock.instant());
  }

  /**
   * Probes the cards this monitor took out (at most once a second) and returns the UUIDs that are healthy again; the
   * caller re-registers them for events.
   */
  Set<String> check() {
    Instant now = clock.instant();
    if (quietPeriod.isZero()
        || quietPeriod.isNegative()
        || now.isBefore(lastProbe.plus(PROBE_INTERVAL))) {
      return Set.of();
    }
    lastProbe = now;
    Set<String> recovered = new HashSet<>();
    Inventory inventory = store.current();
    for (Gpu gpu : inventory.gpus()) {
      Health health = inventory.health(gpu.uuid());
      if (!ours(health)) {
        continue;
      }
      if (!answers(gpu)) {
        stoppedAnswering.add(gpu.uuid());
        continue;
      }
      Instant since = lastFault.getOrDefault(gpu.uuid(), health.since());
      String why = null;
      if (stoppedAnswering.remove(gpu.uuid())) {
        why = "answers again with the same UUID (reset)";
      } else if (!now.isBefore(since.plus(quietPeriod))) {
        why = "no fault for " + quietPeriod.toSeconds() + " s and NVML answers normally";
      }
      if (why != null) {
        String reason = why;
        Inventory after = store.update(current ->
            current.withoutProblem(gpu.uuid(), XID, now).withoutProblem(gpu.uuid(), REFUSED, now));
        Health left = after.health(gpu.uuid());
        log.info(
            "gpu fault cleared gpu={} after=\"{}\" reason=\"{}\" healthy={}{}",
            gpu.uuid(),
            health.reason(),
            reason,
            left.healthy(),
            left.healthy() ? "" : " stillOut=\"" + left.reason() + "\"");
        lastFault.remove(gpu.uuid());
        recovered.add(gpu.uuid());
      }
    }
    return recovered;
  }

  static boolean ours(Health health) {
    return health.has(XID) || health.has(REFUSED);
  }

  /** Whether the card answers NVML as the same card: its UUID and memory can be read. */
  private boolean answers(Gpu gpu) {
    try {
      NvmlDevice device = nvml.device(gpu.index());
      return device.uuid().equals(gpu.uuid()) && device.memoryInfo().total() > 0;
    } catch (NvmlException e) {
      return false;
    }
  }
}
