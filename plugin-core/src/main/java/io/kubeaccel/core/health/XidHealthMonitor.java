package io.kubeaccel.core.health;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.InventoryStore;
import io.kubeaccel.nvml.Nvml;
import io.kubeaccel.nvml.NvmlDevice;
import io.kubeaccel.nvml.NvmlEvent;
import io.kubeaccel.nvml.NvmlEventSet;
import io.kubeaccel.nvml.NvmlEventTypes;
import io.kubeaccel.nvml.NvmlException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns NVML XID critical-error events into card health, on one dedicated thread.
 *
 * <p>A non-ignored XID makes its card unhealthy; every resource advertising that card (whole card, replicas, slices)
 * follows through the inventory. When waiting for events fails (the driver went away, a GPU fell off the bus), every
 * card is marked unhealthy, nothing crashes, and monitoring starts again with back-off; cards it could register again
 * return to healthy.
 */
public final class XidHealthMonitor implements AutoCloseable {

  /** Longest a single wait blocks, and so the longest {@link #close()} waits for the thread. */
  static final Duration WAIT_SLICE = Duration.ofMillis(200);

  private static final String MONITOR_FAILED = "health monitoring failed: ";
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private static final Logger log = LoggerFactory.getLogger(XidHealthMonitor.class);

  private final Nvml nvml;
  private final InventoryStore store;
  private final HealthPolicy policy;
  private final Clock clock;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch firstPass = new CountDownLatch(1);
  private final Thread thread;
  private final HealthRecovery recovery;
  private final XidTally tally;

  public XidHealthMonitor(Nvml nvml, InventoryStore store, HealthPolicy policy, Clock clock) {
    this(nvml, store, policy, clock, new XidTally());
  }

  /** @param tally counts every XID, critical (also on a card that is Unhealthy already) and ignored apart */
  public XidHealthMonitor(
      Nvml nvml, InventoryStore store, HealthPolicy policy, Clock clock, XidTally tally) {
    this.tally = tally;
    this.nvml = nvml;
    this.store = store;
    this.policy = policy;
    this.clock = clock;
    this.recovery = new HealthRecovery(nvml, store, policy.recoveryQuietPeriod(), clock);
    this.thread = new Thread(this::run, "kubeaccel-health");
    this.thread.setDaemon(true);
  }

  /**
   * Starts monitoring, unless the policy turns health checks off, and returns once every GPU is registered for
   * events (or refused), so no fault between start and advertising the devices goes unseen. Waits at most {@code
   * readyWithin}; monitoring goes on in the background regardless.
   */
  public void start(Duration readyWithin) {
    if (!policy.enabled()) {
      log.warn("health checks disabled by DP_DISABLE_HEALTHCHECKS=all");
      return;
    }
    log.info(
        "health monitoring started ignoredXids={} ignoreAllXids={}",
        policy.ignoredXids(),
        policy.ignoreAllXids());
    thread.start();
    try {
      if (!firstPass.await(readyWithin.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("health monitoring not ready after {}, continuing", readyWithin);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    Duration backoff = Duration.ofSeconds(1);
    while (stop.getCount() > 0) {
      try (NvmlEventSet events = nvml.createEventSet()) {
        Set<String> registered = register(events);
        recover(registered);
        firstPass.countDown();
        backoff = Duration.ofSeconds(1);
        waitForEvents(events);
      } catch (NvmlException e) {
        log.error(
            "health monitoring failed, all GPUs unhealthy reason=\"{}\" retryIn={}",
            e.getMessage(),
            backoff);
        store.update(
            inventory -> inventory.withProblemOnAll(MONITOR_FAILED, e.getMessage(), now()));
        firstPass.countDown();
        if (await(backoff)) {
          return;
        }
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
            ? MAX_BACKOFF
            : backoff.multipliedBy(2);
      }
    }
  }

  /** Registers XID events for every GPU; a GPU that refuses is unhealthy. Returns the UUIDs registered. */
  private Set<String> register(NvmlEventSet events) {
    Set<String> registered = new HashSet<>();
    for (Gpu gpu : store.current().gpus()) {
      try {
        NvmlDevice device = nvml.device(gpu.index());
        if ((device.supportedEventTypes() & NvmlEventTypes.XID_CRITICAL_ERROR) == 0) {
          log.warn("gpu reports no XID events, health not monitored gpu={}", gpu.uuid());
          registered.add(gpu.uuid());
          continue;
        }
        events.register(device, NvmlEventTypes.XID_CRITICAL_ERROR);
        registered.add(gpu.uuid());
      } catch (NvmlException e) {
        log.warn(
            "gpu refused event registration, marking unhealthy gpu={} reason=\"{}\"",
            gpu.uuid(),
            e.getMessage());
        recovery.faulted(gpu.uuid());
        store.update(inventory ->
            inventory.withProblem(gpu.uuid(), HealthRecovery.REFUSED, e.getMessage(), now()));
      }
    }
    return registered;
  }

  /** Cards marked unhealthy only because monitoring failed are healthy again once registered anew. */
  private void recover(Set<String> registered) {
    store.update(inventory -> {
      Inventory result = inventory;
      for (String uuid : registered) {
        if (inventory.health(uuid).has(MONITOR_FAILED)) {
          log.info("gpu monitored again gpu={}", uuid);
          result = result.withoutProblem(uuid, MONITOR_FAILED, now());
        }
      }
      return result;
    });
  }

  /** Waits for events until closed, or until a card came back (it is then registered anew). */
  private void waitForEvents(NvmlEventSet events) {
    while (stop.getCount() > 0) {
      Optional<NvmlEvent> event = events.await(WAIT_SLICE);
      event.ifPresent(this::handle);
      if (!recovery.check().isEmpty()) {
        return;
      }
    }
  }

  private void handle(NvmlEvent event) {
    if (event.eventType() != NvmlEventTypes.XID_CRITICAL_ERROR) {
      return;
    }
    long xid = event.eventData();
    Optional<Gpu> gpu = store.current().gpus().stream()
        .filter(g -> g.index() == event.device().index())
        .findFirst();
    if (gpu.isEmpty()) {
      log.warn("XID from unknown gpu index={} xid={}", event.device().index(), xid);
      return;
    }
    String uuid = gpu.get().uuid();
    if (policy.ignores(xid)) {
      log.info("XID ignored gpu={} xid={}", uuid, xid);
      tally.recordIgnored(uuid, xid);
      return;
    }
    log.warn("XID critical error, marking unhealthy gpu={} xid={}", uuid, xid);
    tally.record(uuid, xid);
    recovery.faulted(uuid);
    store.update(
        inventory -> inventory.withProblem(uuid, HealthRecovery.XID, Long.toString(xid), now()));
  }

  private java.time.Instant now() {
    return clock.instant();
  }

  /** Waits {@code duration} unless closed first; returns whether closed. */
  private boolean await(Duration duration) {
    try {
      return stop.await(duration.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  /** Stops monitoring; returns within about {@link #WAIT_SLICE}. */
  @Override
  public void close() {
    stop.countDown();
    if (thread.isAlive()) {
      try {
        thread.join(WAIT_SLICE.multipliedBy(4).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
