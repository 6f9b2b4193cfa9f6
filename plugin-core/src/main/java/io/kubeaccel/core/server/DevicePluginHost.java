package io.kubeaccel.core.server;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kubeaccel.core.inventory.InventoryStore;
import io.kubeaccel.core.spi.ModePlugin;
import io.kubeaccel.proto.UnixSocketTransport;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts mode plugins on the kubelet: one gRPC server per resource on its own unix socket, registration, and recovery
 * from kubelet restarts.
 *
 * <p>Each resource is served before it registers (the kubelet dials back inside Register). A {@link KubeletWatcher}
 * notices a kubelet restart (the kubelet deletes every file in the directory and creates a new {@code kubelet.sock})
 * through inotify and a periodic check, and serves again and re-registers only what is needed; the inventory, the
 * plugins and their state live on untouched. All kubelet calls of all resources run on one thread, so a mode's
 * decisions never race each other.
 */
public final class DevicePluginHost implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DevicePluginHost.class);

  private final HostSettings settings;
  private final InventoryStore store;
  private final UnixSocketTransport transport;
  private final ExecutorService calls;
  private final List<ResourceServer> servers = new ArrayList<>();
  private final KubeletRegistrar registrar;
  private final CrashLoopGuard guard;
  /** The kubelet.sock file (its file key) each resource is registered with. */
  private final Map<ResourceServer, Object> registeredWith = new HashMap<>();
  /** Resources whose "kubelet not reachable" was logged since their last registration. */
  private final Set<ResourceServer> unreachableSaid = new HashSet<>();

  private final AtomicInteger registrations = new AtomicInteger();
  private final CompletableFuture<String> gaveUp = new CompletableFuture<>();
  private AutoCloseable subscription;
  private KubeletWatcher watcher;
  private boolean closed;

  public DevicePluginHost(
      HostSettings settings,
      InventoryStore store,
      List<ModePlugin> plugins,
      AllocationObserver observer,
      Clock clock) {
    this.settings = settings;
    this.store = store;
    this.transport = new UnixSocketTransport("kubeaccel-grpc", 1);
    this.calls = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "kubeaccel-calls");
      thread.setDaemon(true);
      return thread;
    });
    for (ModePlugin plugin : plugins) {
      Path socket = settings.deviceDir().resolve(HostSettings.socketName(plugin.resourceName()));
      servers.add(new ResourceServer(plugin, socket, transport, calls, store.current(), observer));
    }
    this.registrar = new KubeletRegistrar(
        transport,
        settings.deviceDir().resolve(HostSettings.KUBELET_SOCKET),
        settings.registerTimeout());
    this.guard = new CrashLoopGuard(settings.maxFailures(), settings.failureWindow(), clock);
  }

  /**
   * Serves every resource, registers those the kubelet can take now, and starts watching for kubelet restarts. A
   * missing kubelet is not an error: registration happens when its socket appears.
   *
   * @throws IOException if the device-plugin directory cannot be watched or a socket cannot be bound
   */
  public synchronized void start() throws IOException {
    subscription = store.subscribe(inventory -> {
      for (ResourceServer server : servers) {
        server.inventoryChanged(inventory);
      }
    });
    for (ResourceServer server : servers) {
      server.inventoryChanged(store.current());
      server.serve();
    }
    watcher = new KubeletWatcher(settings, this::reconcile);
    if (registrar.kubeletSocketKey() == null) {
      log.info(
          "kubelet not running yet, will register when it appears dir={}", settings.deviceDir());
    }
    watcher.start(reconcile());
  }

  /**
   * Completes with a reason when the host gave up: more serve/register failures than {@link
   * HostSettings#maxFailures()} within {@link HostSettings#failureWindow()}. The caller should exit non-zero.
   */
  public CompletableFuture<String> gaveUp() {
    return gaveUp;
  }

  /** Successful registrations since start (all resources). */
  public int registrations() {
    return registrations.get();
  }

  /**
   * Brings sockets and registrations in line with the kubelet: serves again what lost its socket, registers what the
   * current kubelet does not know. A registration belongs to one kubelet.sock file: a new file (a restarted kubelet)
   * needs every resource registered again, however the change was noticed. Runs on the watcher thread (and once from
   * {@link #start()}).
   *
   * @return what is still pending (the watcher then looks again soon)
   */
  synchronized RetryPolicy.Pending reconcile() {
    if (closed || gaveUp.isDone()) {
      return RetryPolicy.Pending.NOTHING;
    }
    Object kubelet = registrar.kubeletSocketKey();
    RetryPolicy.Pending pending = RetryPolicy.Pending.NOTHING;
    for (ResourceServer server : servers) {
      if (!server.socketPresent()) {
        log.info("socket gone, serving again resource={}", server.resourceName());
        registeredWith.remove(server);
        try {
          server.serve();
        } catch (IOException | RuntimeException e) {
          pending = RetryPolicy.Pending.FAILURE;
          fail("serve " + server.resourceName(), e);
          continue;
        }
      }
      if (kubelet == null) {
        // No kubelet yet: registration happens when its socket appears.
        pending = RetryPolicy.worse(pending, RetryPolicy.Pending.KUBELET);
      } else if (!kubelet.equals(registeredWith.get(server))) {
        pending = RetryPolicy.worse(pending, register(server, kubelet));
      }
    }
    return pending;
  }

  private RetryPolicy.Pending register(ResourceServer server, Object kubelet) {
    try {
      registrar.register(server.resourceName(), server.endpoint(), server.options());
      registeredWith.put(server, kubelet);
      unreachableSaid.remove(server);
      registrations.incrementAndGet();
      log.info(
          "registered resource={} endpoint={} devices={}",
          server.resourceName(),
          server.endpoint(),
          server.deviceCount());
      return RetryPolicy.Pending.NOTHING;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
        // Nobody listens on kubelet.sock: the kubelet is down or restarting (a restarting kubelet
        // deletes our socket before its stale kubelet.sock, so a register can hit the old file).
        // Not this agent's failure: retried as the socket changes, never counted toward giving up.
        // Retried within milliseconds, then every check interval: said once until it registers.
        if (unreachableSaid.add(server)) {
          log.info(
              "kubelet not reachable, registering when it is resource={} reason=\"{}\"",
              server.resourceName(),
              e.getStatus().getDescription());
        }
        return RetryPolicy.Pending.KUBELET;
      }
      fail("register " + server.resourceName(), e);
      return RetryPolicy.Pending.FAILURE;
    } catch (RuntimeException e) {
      fail("register " + server.resourceName(), e);
      return RetryPolicy.Pending.FAILURE;
    }
  }

  /** Gives up for {@code reason}: {@link #gaveUp()} completes, the caller exits non-zero and is restarted. */
  public void giveUp(String reason) {
    log.error("giving up: {}", reason);
    gaveUp.complete(reason);
  }

  private void fail(String action, Exception e) {
    boolean withinBudget = guard.recordFailure();
    log.warn("{} failed failures={} reason=\"{}\"", action, guard.recentFailures(), e.getMessage());
    if (!withinBudget) {
      giveUp(String.format(
          "%d serve/register failures within %s, last: %s: %s",
          guard.recentFailures(), settings.failureWindow(), action, e.getMessage()));
    }
  }

  /** Stops watching, stops every server and removes its socket. */
  @Override
  public void close() {
    KubeletWatcher stopping;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      stopping = watcher;
    }
    // Outside the lock: the watcher thread may be waiting for it inside reconcile.
    if (stopping != null) {
      stopping.close();
    }
    synchronized (this) {
      stopAll();
    }
  }

  private void stopAll() {
    if (subscription != null) {
      try {
        subscription.close();
      } catch (Exception e) {
        log.debug("unsubscribe failed", e);
      }
    }
    for (ResourceServer server : servers) {
      server.stop();
    }
    calls.shutdownNow();
    transport.close();
    log.info("stopped resources={}", servers.size());
  }
}
