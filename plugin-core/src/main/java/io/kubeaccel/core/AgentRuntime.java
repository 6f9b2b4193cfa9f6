package io.kubeaccel.core;

import io.kubeaccel.core.health.XidHealthMonitor;
import io.kubeaccel.core.health.XidTally;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.InventoryStore;
import io.kubeaccel.core.inventory.NumaLocator;
import io.kubeaccel.core.inventory.NvmlInventoryReader;
import io.kubeaccel.core.server.AllocationObserver;
import io.kubeaccel.core.server.DevicePluginHost;
import io.kubeaccel.core.spi.ModePlugin;
import io.kubeaccel.nvml.Nvml;
import io.kubeaccel.nvml.NvmlException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node agent, whatever its mode: NVML, the inventory, health monitoring and the device-plugin host, started and
 * stopped in the right order.
 *
 * <p>When NVML cannot start, the agent either fails (with {@link AgentSettings#failOnInitError()}) or serves its
 * resources with no devices and keeps retrying; devices appear as soon as NVML answers. Either way it never leaves a
 * half-initialised NVML behind.
 */
public final class AgentRuntime implements AutoCloseable {

  private static final Duration MAX_NVML_RETRY = Duration.ofMinutes(5);
  private static final Duration MONITOR_READY = Duration.ofSeconds(5);
  private static final Logger log = LoggerFactory.getLogger(AgentRuntime.class);

  private final AgentSettings settings;
  private final Clock clock;
  private final InventoryStore store;
  private final DevicePluginHost host;
  private final CountDownLatch stop = new CountDownLatch(1);
  private volatile Nvml nvml;
  private volatile XidHealthMonitor monitor;
  private Thread nvmlRetry;
  private final List<String> served;
  private final XidTally xids = new XidTally();

  private AgentRuntime(
      AgentSettings settings,
      Clock clock,
      Nvml nvml,
      Inventory inventory,
      List<ModePlugin> plugins,
      AllocationObserver observer) {
    this.served = names(plugins);
    this.settings = settings;
    this.clock = clock;
    this.nvml = nvml;
    this.store = new InventoryStore(inventory);
    this.host = new DevicePluginHost(settings.host(), store, plugins, observer, clock);
  }

  /**
   * Opens NVML, reads the inventory, serves and registers {@code plugins}, and starts health monitoring.
   *
   * @throws NvmlException when NVML cannot start and {@link AgentSettings#failOnInitError()} is set
   * @throws IOException when the device-plugin directory cannot be watched or a socket cannot be bound
   */
  public static AgentRuntime start(
      AgentSettings settings, PluginFactory plugins, AllocationObserver observer, Clock clock)
      throws IOException {
    return start(settings, plugins, observer, runtime -> {}, clock);
  }

  /**
   * As {@link #start(AgentSettings, PluginFactory, AllocationObserver, Clock)}, telling {@code beforeServing} the
   * runtime once its inventory and resources exist and before the kubelet sees any device, so that whatever changes
   * health (e.g. a guard withholding cards another mode still holds) acts on the first list the kubelet gets.
   */
  public static AgentRuntime start(
      AgentSettings settings,
      PluginFactory plugins,
      AllocationObserver observer,
      Consumer<AgentRuntime> beforeServing,
      Clock clock)
      throws IOException {
    NvmlInventoryReader reader =
        new NvmlInventoryReader(new NumaLocator(settings.sysRoot()), clock);
    Nvml nvml = null;
    Inventory inventory;
    try {
      nvml = Nvml.open(settings.nvml());
      inventory = reader.read(nvml);
    } catch (NvmlException e) {
      closeQuietly(nvml);
      nvml = null;
      if (settings.failOnInitError()) {
        throw e;
      }
      log.error("NVML unavailable, serving no devices and retrying reason=\"{}\"", e.getMessage());
      inventory = Inventory.unavailable(e.getMessage());
    }
    List<ModePlugin> served;
    try {
      served = plugins.create(inventory);
    } catch (RuntimeException e) {
      closeQuietly(nvml);
      throw e;
    }
    AgentRuntime runtime = new AgentRuntime(settings, clock, nvml, inventory, served, observer);
    try {
      if (nvml != null) {
        runtime.startMonitor(
            nvml); // before advertising: a fault right after registration must not go unseen
      }
      beforeServing.accept(runtime);
      runtime.host.start();
    } catch (IOException | RuntimeException e) {
      runtime.close();
      throw e;
    }
    if (nvml == null) {
      runtime.retryNvml(reader, plugins, names(served));
    }
    return runtime;
  }

  /** The resources this agent serves. */
  public List<String> resources() {
    return served;
  }

  /** The node's inventory, current and future. */
  public InventoryStore inventory() {
    return store;
  }

  /** Every critical XID NVML reported since start, per card and XID (the health monitor's, across NVML restarts). */
  public XidTally xids() {
    return xids;
  }

  /** Completes with a reason when the agent gave up (see {@link DevicePluginHost#gaveUp()}). */
  public CompletableFuture<String> gaveUp() {
    return host.gaveUp();
  }

  private void startMonitor(Nvml opened) {
    XidHealthMonitor started = new XidHealthMonitor(opened, store, settings.health(), clock, xids);
    monitor = started;
    started.start(MONITOR_READY);
  }

  private static List<String> names(List<ModePlugin> plugins) {
    return plugins.stream().map(ModePlugin::resourceName).sorted().toList();
  }

  private void retryNvml(NvmlInventoryReader reader, PluginFactory plugins, List<String> served) {
    nvmlRetry = new Thread(
        () -> {
          Duration delay = settings.nvmlRetry();
          while (!awaitStop(delay)) {
            if (tryLateStart(reader, plugins, served)) {
              return;
            }
            delay = delay.multipliedBy(2).compareTo(MAX_NVML_RETRY) > 0
                ? MAX_NVML_RETRY
                : delay.multipliedBy(2);
            log.warn("NVML still unavailable retryIn={}", delay);
          }
        },
        "kubeaccel-nvml-retry");
    nvmlRetry.setDaemon(true);
    nvmlRetry.start();
  }

  /**
   * One attempt to start NVML after the agent started without it. Returns whether retrying is over: NVML answered
   * (the devices are served now), the agent is stopping, or the cards call for other resources than those being
   * served (servers are fixed at start, so the agent gives up and its DaemonSet restarts it with the right ones).
   */
  private boolean tryLateStart(
      NvmlInventoryReader reader, PluginFactory plugins, List<String> served) {
    Nvml opened = null;
    try {
      opened = Nvml.open(settings.nvml());
      Inventory fresh = reader.read(opened);
      List<String> wanted = names(plugins.create(fresh));
      synchronized (this) {
        if (stop.getCount() == 0) {
          opened.close();
          return true;
        }
        if (!wanted.equals(served)) {
          opened.close();
          host.giveUp("NVML answers now and its cards call for resources " + wanted + " instead of "
              + served + "; exiting so the agent restarts with them");
          return true;
        }
        nvml = opened;
        store.replace(fresh);
        startMonitor(opened);
      }
      log.info("NVML available, devices now served gpus={}", fresh.gpus().size());
      return true;
    } catch (NvmlException e) {
      closeQuietly(opened);
      log.debug("NVML start failed reason=\"{}\"", e.getMessage());
      return false;
    } catch (RuntimeException e) {
      closeQuietly(opened);
      host.giveUp("cannot serve the cards NVML reports: " + e.getMessage());
      return true;
    }
  }

  private boolean awaitStop(Duration delay) {
    try {
      return stop.await(delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  /** Unregisters nothing (the kubelet forgets a plugin whose socket is gone) but removes sockets, then stops NVML. */
  @Override
  public void close() {
    synchronized (this) {
      stop.countDown();
    }
    host.close();
    XidHealthMonitor running = monitor;
    if (running != null) {
      running.close();
    }
    closeQuietly(nvml);
  }

  private static void closeQuietly(Nvml nvml) {
    if (nvml == null) {
      return;
    }
    try {
      nvml.close();
    } catch (NvmlException e) {
      log.debug("nvmlShutdown failed reason=\"{}\"", e.getMessage());
    }
  }
}
