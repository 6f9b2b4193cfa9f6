package io.kubeaccel.mps.daemon;

import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.InventoryStore;
import io.kubeaccel.core.kube.NodeEvents;
import io.kubeaccel.nvml.ComputeMode;
import io.kubeaccel.nvml.NvmlLibraryPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the node's MPS control daemon for the cards the MPS mode serves, and keeps the cards' health true to it.
 *
 * <p>{@link #start}: {@code control -d} starts the daemon, or a daemon that already answers is adopted. Once the
 * agent's inventory is {@link #attach attached}, every card goes to EXCLUSIVE_PROCESS compute mode (only the MPS server
 * may open contexts on it), except a card other modes' containers still hold (as PodResources lists them): that one
 * is switched when they release it, never while they run on it, and none is switched while PodResources cannot tell. One daemon thread, {@code
 * kubeaccel-mps-supervisor}, then asks the daemon {@code get_default_active_thread_percentage} every check interval
 * and expects a number. When the daemon does not answer (it died, hangs, or never started), every card is marked
 * unhealthy with a reason starting {@value #DOWN} and the daemon is started again after a back-off (100 ms doubling to
 * 30 s; back to 100 ms once it stayed up that long); once it answers, the cards carrying that reason, and only those,
 * are healthy again (an XID stays). {@link #close} sends {@code quit}, waits for the daemon to go, and puts the cards
 * it switched back to DEFAULT compute mode.
 *
 * <p>Nothing here runs on the kubelet's request path: Allocate reads only the inventory the marks end up in.
 */
public final class MpsDaemonSupervisor implements AutoCloseable {

  /** Start of the health reason this supervisor gives and takes back. */
  public static final String DOWN = "MPS daemon down: ";

  private static final Logger log = LoggerFactory.getLogger(MpsDaemonSupervisor.class);
  private static final String HEALTH_CHECK = "get_default_active_thread_percentage";
  private static final Duration GONE_POLL = Duration.ofMillis(100);

  private final MpsDaemonSettings settings;
  private final MpsControlProgram control;
  private final ComputeModeSwitch modes;
  private final NodeEvents events;
  private final Clock clock;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch firstAttempt = new CountDownLatch(1);
  private volatile List<String> cards = List.of();
  private final DaemonHealthMarks marks;
  /** Why the daemon is not usable, or null while it answers. */
  private volatile String downReason = "not started yet";
  /** Whether the daemon ever answered, to tell a restart from a first start. */
  private volatile boolean everUp;

  /** Which served cards other modes' containers hold now; empty when that cannot be told (PodResources down). */
  private final Function<Inventory, Optional<Set<String>>> heldByOthers;
  /** The cards this supervisor keeps in EXCLUSIVE_PROCESS, to put back at close. */
  private final Set<String> exclusive = ConcurrentHashMap.newKeySet();
  /** The served cards last seen held by other modes' containers, to log each change once. */
  private final Set<String> held = ConcurrentHashMap.newKeySet();
  /** Serialises compute-mode switching (the supervisor thread, attach, close); never held while waiting. */
  private final Object switching = new Object();

  private volatile InventoryStore inventory;
  private volatile boolean heldUnknownLogged;

  private Thread thread;
  private boolean closed;

  /**
   * A supervisor that finds no card held by another mode: for nodes that never ran another mode, and tests.
   *
   * @param nvml where NVML is loaded from, to set compute modes
   * @param events where daemon failures and recoveries are reported on the Node
   */
  public MpsDaemonSupervisor(
      MpsDaemonSettings settings, NvmlLibraryPath nvml, NodeEvents events, Clock clock) {
    this(settings, nvml, events, inventory -> Optional.of(Set.of()), clock);
  }

  /**
   * @param nvml where NVML is loaded from, to set compute modes
   * @param events where daemon failures and recoveries are reported on the Node
   * @param heldByOthers the cards of an inventory that other modes' containers hold now (asked on the supervisor's
   *     thread, about once per check interval), or empty when that cannot be told: no card is switched then
   */
  public MpsDaemonSupervisor(
      MpsDaemonSettings settings,
      NvmlLibraryPath nvml,
      NodeEvents events,
      Function<Inventory, Optional<Set<String>>> heldByOthers,
      Clock clock) {
    this.heldByOthers = heldByOthers;
    this.settings = settings;
    this.control = new MpsControlProgram(settings);
    this.modes = new ComputeModeSwitch(nvml);
    this.events = events;
    this.clock = clock;
    this.marks = new DaemonHealthMarks(clock);
  }

  /**
   * Starts supervising the daemon for {@code cardUuids} and returns once the first start has succeeded or failed
   * (bounded by the start and command timeouts); a failed start is retried in the background. Does nothing when
   * there are no cards or supervision has started already.
   */
  public synchronized void start(List<String> cardUuids) {
    if (closed || thread != null) {
      return;
    }
    if (cardUuids.isEmpty()) {
      log.warn("no GPU to serve, MPS daemon not started");
      return;
    }
    cards = List.copyOf(cardUuids);
    marks.cards(cards);
    thread = new Thread(this::supervise, "kubeaccel-mps-supervisor");
    thread.setDaemon(true);
    thread.start();
    Duration bound =
        settings.startTimeout().plus(settings.commandTimeout().multipliedBy(2)).plusSeconds(1);
    try {
      if (!firstAttempt.await(bound.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("MPS daemon not started after {}, going on", bound);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Marks the cards in {@code inventory} from now on (and at once, if the daemon is down), and from now on keeps in
   * EXCLUSIVE_PROCESS every served card no other mode's container holds (checked now, then after every health check).
   */
  public void attach(InventoryStore inventory) {
    marks.attach(inventory);
    applyHealth();
    this.inventory = inventory;
    ensureComputeModes();
  }

  /**
   * EXCLUSIVE_PROCESS for every served card that other modes' containers do not hold, as far as PodResources can
   * tell; when it cannot, no card is switched. Setting a card already in the mode costs one NVML read, so a card that a
   * GPU reset put back to DEFAULT is switched again. Runs on the supervisor's thread or the caller of {@link #attach},
   * never inside an inventory notification. PodResources is asked only while some served card is not switched
   * yet.
   */
  private void ensureComputeModes() {
    InventoryStore store = inventory;
    if (store == null || stopped()) {
      return;
    }
    // Once every served card is ours, no other mode can take one back (its agent is gone): only
    // the modes are checked again, without asking PodResources every check interval.
    Optional<Set<String>> others =
        exclusive.containsAll(cards) ? Optional.of(Set.of()) : heldByOthers.apply(store.current());
    if (others.isEmpty()) {
      if (!heldUnknownLogged) {
        heldUnknownLogged = true;
        log.warn(
            "compute modes not set: cannot tell which cards other modes' containers hold (PodResources)");
      }
      return;
    }
    heldUnknownLogged = false;
    synchronized (switching) {
      if (stopped()) {
        return;
      }
      for (String uuid : cards) {
        if (others.get().contains(uuid)) {
          if (held.add(uuid)) {
            log.info(
                "compute mode left as it is while another mode's containers hold the card gpu={}",
                uuid);
          }
          continue;
        }
        if (held.remove(uuid)) {
          log.info(
              "card released by another mode's containers, switching its compute mode gpu={}",
              uuid);
        }
        if (modes.set(List.of(uuid), ComputeMode.EXCLUSIVE_PROCESS) == 1) {
          exclusive.add(uuid);
        }
      }
    }
  }

  /** Whether the daemon answered its latest health check. */
  public boolean running() {
    return downReason == null;
  }

  private void supervise() {
    Duration backoff = settings.minBackoff();
    boolean first = true;
    while (!stopped()) {
      try {
        startDaemon(first);
        up();
        ensureComputeModes();
      } catch (MpsControlException e) {
        down(e.getMessage());
        firstAttempt.countDown();
        log.warn(
            "MPS daemon start failed reason=\"{}\" retryInMs={}",
            e.getMessage(),
            backoff.toMillis());
        if (pause(backoff)) {
          return;
        }
        backoff = next(backoff);
        continue;
      } catch (InterruptedException e) {
        firstAttempt.countDown(); // closed while starting: whoever waits for the start goes on
        return;
      } finally {
        first = false;
      }
      firstAttempt.countDown();
      long upAt = clock.millis();
      if (!watch()) {
        return;
      }
      if (clock.millis() - upAt >= settings.maxBackoff().toMillis()) {
        backoff = settings.minBackoff();
      }
      log.warn("restarting MPS daemon retryInMs={}", backoff.toMillis());
      if (pause(backoff)) {
        return;
      }
      backoff = next(backoff);
    }
  }

  /** Health checks until one fails (returns true) or supervision stops (false). */
  private boolean watch() {
    while (!pause(settings.checkInterval())) {
      try {
        check();
        applyHealth(); // again: a replaced inventory (NVML started late) must get the marks too
        ensureComputeModes();
      } catch (MpsControlException e) {
        down(e.getMessage());
        return true;
      } catch (InterruptedException e) {
        return false;
      }
    }
    return false;
  }

  /** Compute mode, then the daemon: a fresh one, or at the first start one that already answers. */
  private void startDaemon(boolean first) throws MpsControlException, InterruptedException {
    prepareDirectories();
    if (first) {
      try {
        check();
        log.info("MPS daemon already running, adopting it pipe={}", settings.pipeDirectory());
        return;
      } catch (MpsControlException e) {
        log.debug("no MPS daemon answers yet reason=\"{}\"", e.getMessage());
      }
    }
    control.startDaemon();
    check();
  }

  private void check() throws MpsControlException, InterruptedException {
    String answer = control.send(HEALTH_CHECK);
    try {
      Double.parseDouble(answer);
    } catch (NumberFormatException e) {
      throw new MpsControlException("unexpected answer to " + HEALTH_CHECK + ": '" + answer + "'");
    }
  }

  private void prepareDirectories() throws MpsControlException {
    try {
      directory(settings.pipeDirectory(), "rwxr-xr-x");
      directory(settings.logDirectory(), "rwx------");
    } catch (IOException e) {
      throw new MpsControlException("cannot prepare the MPS directories: " + e);
    }
  }

  private static void directory(Path dir, String permissions) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(permissions));
  }

  private void applyHealth() {
    marks.apply(downReason);
  }

  private void up() {
    boolean recovered = downReason != null && everUp;
    downReason = null;
    log.info(
        "MPS daemon running gpus={} pipe={} control={}",
        cards.size(),
        settings.pipeDirectory(),
        settings.control());
    if (recovered) {
      events.normal(
          "MpsDaemonRestarted", "MPS control daemon restarted; its GPUs are healthy again");
    }
    everUp = true;
    applyHealth();
  }

  private void down(String reason) {
    boolean wasUp = downReason == null;
    downReason = reason;
    if (wasUp) {
      log.warn("MPS daemon down, GPUs unhealthy gpus={} reason=\"{}\"", cards.size(), reason);
      events.warning(
          "MpsDaemonDown",
          "MPS control daemon stopped answering (" + reason + "); its " + cards.size()
              + " GPU(s) are unhealthy until it is restarted");
    } else if (!everUp) {
      events.warning("MpsDaemonStartFailed", "MPS control daemon cannot start: " + reason);
    }
    applyHealth();
  }

  private Duration next(Duration backoff) {
    Duration doubled = backoff.multipliedBy(2);
    return doubled.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : doubled;
  }

  private boolean stopped() {
    return stop.getCount() == 0;
  }

  /** Waits {@code duration} unless stopped first; returns whether stopped. */
  private boolean pause(Duration duration) {
    try {
      return stop.await(duration.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      return true;
    }
  }

  /** Stops supervising, sends {@code quit}, waits for the daemon to go, and restores DEFAULT compute mode. */
  @Override
  public void close() {
    Thread running;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      running = thread;
    }
    stop.countDown();
    if (running != null) {
      running.interrupt(); // a client or start in flight is killed rather than waited for
      try {
        running.join(settings.startTimeout().plus(settings.commandTimeout()).toMillis());
        quit();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (switching) {
      modes.set(List.copyOf(exclusive), ComputeMode.DEFAULT);
      exclusive.clear();
      modes.close();
    }
  }

  private void quit() throws InterruptedException {
    try {
      control.send("quit", settings.stopTimeout());
      log.info("MPS daemon told to quit pipe={}", settings.pipeDirectory());
    } catch (MpsControlException e) {
      if (running()) {
        log.warn("MPS daemon quit failed reason=\"{}\"", e.getMessage());
      } else {
        log.info("MPS daemon not running at shutdown reason=\"{}\"", e.getMessage());
      }
      return;
    }
    long deadline = System.nanoTime() + settings.stopTimeout().toNanos();
    while (System.nanoTime() < deadline) {
      try {
        check();
      } catch (MpsControlException e) {
        log.info("MPS daemon stopped");
        return; // nobody answers any more: gone
      }
      Thread.sleep(GONE_POLL.toMillis()); // another process: nothing to wait on but its answers
    }
    log.warn("MPS daemon still answers {} after quit", settings.stopTimeout());
  }
}
