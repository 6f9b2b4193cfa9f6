package io.kubeaccel.agent;

import io.fabric8.kubernetes.client.Config;
import io.kubeaccel.core.AgentRuntime;
import io.kubeaccel.core.kube.KubeAccess;
import io.kubeaccel.core.kube.KubeSettings;
import io.kubeaccel.core.kube.NodeMetadataParts;
import io.kubeaccel.core.kube.NodeMetadataPublisher;
import io.kubeaccel.core.ledger.PodResourcesClient;
import io.kubeaccel.core.node.HealthEvents;
import io.kubeaccel.core.node.ModeSwitchGuard;
import io.kubeaccel.core.node.NodeLabels;
import io.kubeaccel.core.sharing.CapacityPublisher;
import io.kubeaccel.core.sharing.PodResourcesLookup;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every node agent does with its cluster besides serving the kubelet: withholds cards another mode's containers
 * still hold (PodResources), keeps the node's labels current, raises Events on health transitions, and gives the
 * mode its Kubernetes access. Without a node name (pgpu may run so) only the guard runs.
 */
final class NodeServices implements AutoCloseable {

  /** How often the mode-switch guard looks at PodResources again. */
  private static final Duration GUARD_INTERVAL = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(NodeServices.class);

  private final String mode;
  /** Longer than a terminating agent's default grace period (30 s). */
  private static final Duration STALE_CAPACITY_RECHECK = Duration.ofSeconds(45);

  /** A mode that needs no pods connects once it serves: its client then costs the kubelet no start-up time. */
  private final Deferred deferred;

  private final PodResourcesClient podResources;
  private final PodResourcesLookup lookup;
  private final List<AutoCloseable> running = new ArrayList<>();
  private volatile KubeAccess kube;
  private boolean closed;
  private volatile NodeMetadataParts metadata;

  private record Deferred(Config config, KubeSettings settings) {}

  private NodeServices(
      String mode, KubeAccess kube, Deferred deferred, PodResourcesClient podResources) {
    this.mode = mode;
    this.deferred = deferred;
    this.podResources = podResources;
    this.lookup = PodResourcesLookup.of(podResources);
    if (kube != null) {
      use(kube);
    }
  }

  private void use(KubeAccess access) {
    this.metadata = new NodeMetadataParts(access.nodeMetadata());
    this.kube = access;
  }

  /**
   * Connects to the cluster (never blocking on the API server).
   *
   * @param kubernetesRequired whether the mode cannot work without its pods (vgpu, mps): then the node's pods are
   *     cached from the API server, and the client is made now; a mode that needs none (pgpu) keeps no pod cache,
   *     and its client is made once it serves ({@link #started}), after its configuration was read here
   * @throws IllegalArgumentException when the node name is required and missing
   * @throws io.fabric8.kubernetes.client.KubernetesClientException if the kubeconfig cannot be read or parsed
   */
  static NodeServices connect(String mode, ClusterOptions cluster, boolean kubernetesRequired) {
    KubeAccess kube = null;
    Deferred deferred = null;
    if (cluster.hasNodeName()) {
      KubeSettings settings = new KubeSettings(
          cluster.nodeName,
          cluster.kubeconfig,
          KubeSettings.DEFAULT_RESYNC,
          KubeSettings.DEFAULT_MIN_PUBLISH_INTERVAL);
      Config config = KubeAccess.clientConfig(settings);
      if (kubernetesRequired) {
        kube = KubeAccess.connect(config, settings, true);
      } else {
        deferred = new Deferred(config, settings);
      }
    } else if (kubernetesRequired) {
      throw new IllegalArgumentException(
          "--node-name (env NODE_NAME) is required: the agent finds its pods by it");
    } else {
      log.warn("no node name (--node-name, env NODE_NAME): node labels and Events are off");
    }
    return new NodeServices(
        mode,
        kube,
        deferred,
        new PodResourcesClient(cluster.podResourcesSocket, Duration.ofSeconds(2)));
  }

  /** Kubernetes access; present when the node name is known. */
  KubeAccess kube() {
    if (kube == null) {
      throw new IllegalStateException("no Kubernetes access without a node name");
    }
    return kube;
  }

  /** The agent's PodResources client, closed with these services. */
  PodResourcesClient podResourcesClient() {
    return podResources;
  }

  PodResourcesLookup podResources() {
    return lookup;
  }

  /** A publisher of node metadata for one part of the agent (e.g. the capacity annotation). */
  NodeMetadataPublisher metadata(String part) {
    return kube == null ? null : metadata.part(part);
  }

  /** Before the kubelet sees a device: withhold what another mode's containers hold, and keep checking. */
  synchronized void beforeServing(AgentRuntime runtime) {
    ModeSwitchGuard guard = new ModeSwitchGuard(
        lookup,
        Set.copyOf(runtime.resources()),
        runtime.inventory(),
        GUARD_INTERVAL,
        Clock.systemUTC());
    guard.start();
    running.add(guard);
  }

  /**
   * Once serving: node labels kept current, Events for health transitions. A client that cannot be made (its
   * configuration was checked at start) leaves labels and Events off, said with the cause.
   */
  synchronized void started(AgentRuntime runtime) {
    if (closed) {
      return;
    }
    if (kube == null && deferred != null) {
      try {
        use(KubeAccess.connect(deferred.config(), deferred.settings(), false));
      } catch (RuntimeException e) {
        log.error("cannot make the Kubernetes client, node labels and Events are off", e);
        return;
      }
    }
    if (kube == null) {
      return;
    }
    NodeLabels labels = new NodeLabels(mode, metadata.part("labels"));
    labels.publish(runtime.inventory().current());
    if (mode.equals("pgpu")) {
      // Whole cards publish no capacity: a share mode's annotation from before a switch goes, now
      // and once more after the old agent's termination grace period, in case its last retried
      // write lands after ours.
      NodeMetadataPublisher capacity = metadata.part("capacity");
      CapacityPublisher.withdraw(capacity);
      running.add(later(STALE_CAPACITY_RECHECK, () -> CapacityPublisher.withdraw(capacity)));
    }
    running.add(runtime.inventory().subscribe(labels::publish));
    running.add(HealthEvents.watch(runtime.inventory(), kube.nodeEvents()));
  }

  /** Runs {@code action} once after {@code delay} on a daemon thread, unless closed first. */
  static AutoCloseable later(Duration delay, Runnable action) {
    CountDownLatch closed = new CountDownLatch(1);
    Thread thread = new Thread(
        () -> {
          try {
            if (!closed.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
              action.run();
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (RuntimeException e) {
            log.warn("delayed node metadata update failed reason=\"{}\"", e.toString());
          }
        },
        "kubeaccel-capacity-recheck");
    thread.setDaemon(true);
    thread.start();
    return closed::countDown;
  }

  /** Stops what runs; waits for {@link #started} when a shutdown comes while it makes the client. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<AutoCloseable> reversed = new ArrayList<>(running);
    Collections.reverse(reversed);
    for (AutoCloseable service : reversed) {
      try {
        service.close();
      } catch (Exception e) {
        log.debug("close failed service={}", service, e);
      }
    }
    podResources.close();
    if (kube != null) {
      kube.close();
    }
  }
}
