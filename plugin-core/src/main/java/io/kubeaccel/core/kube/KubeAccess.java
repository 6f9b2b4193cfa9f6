package io.kubeaccel.core.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.internal.SSLUtils;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kubernetes API as a node agent needs it: this node's pods from an informer cache (for the modes that match
 * containers to pods), and asynchronous, retried
 * writes (pod annotations, Node labels and annotations, Node Events). Nothing here blocks on the API server, and
 * everything works when it is down at start: reads see an empty, unsynced cache and writes wait in their retry loops.
 *
 * <p>Threads: one daemon worker each for annotations, Node metadata and Events ({@code kubeaccel-kube-annotator},
 * {@code kubeaccel-kube-node-metadata}, {@code kubeaccel-kube-events}), plus the client's own threads ({@code
 * kubeaccel-kube-client-*} when made by {@link #connect}).
 */
public final class KubeAccess implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KubeAccess.class);

  /** How the pod informer is narrowed to this node. */
  public enum PodScoping {
    /**
     * A server-side field selector {@code spec.nodeName=<node>}, so the agent caches only its node's pods, plus the
     * client-side filter. For real API servers.
     */
    SERVER_AND_CLIENT_SIDE,
    /**
     * The client-side filter alone: the informer caches every pod of the cluster. Only for fabric8's mock server,
     * whose CRUD mode answers a {@code spec.nodeName} field selector with no pods at all.
     */
    CLIENT_SIDE_ONLY
  }

  private final KubernetesClient client;
  private final ExecutorService ownedClientExecutor;
  private final String nodeName;
  /** Null when no pod cache was asked for. */
  private final InformerNodePods nodePods;

  private final RetryingPodAnnotator podAnnotator;
  private final NodeMetadataWriter nodeMetadata;
  private final AggregatingNodeEvents nodeEvents;

  private KubeAccess(
      KubernetesClient client,
      ExecutorService ownedClientExecutor,
      KubeSettings settings,
      PodScoping scoping,
      boolean cachePods,
      Clock clock) {
    this.client = client;
    this.ownedClientExecutor = ownedClientExecutor;
    this.nodeName = settings.nodeName();
    this.podAnnotator = new RetryingPodAnnotator(client);
    this.nodeMetadata = new NodeMetadataWriter(client, nodeName, settings.minPublishInterval());
    this.nodeEvents = new AggregatingNodeEvents(client, nodeName, clock);
    InformerNodePods informer = null;
    try {
      if (cachePods) {
        informer = InformerNodePods.start(
            client, nodeName, settings.resync(), scoping == PodScoping.SERVER_AND_CLIENT_SIDE);
      }
    } catch (RuntimeException e) {
      podAnnotator.close();
      nodeMetadata.close();
      nodeEvents.close();
      throw e;
    }
    this.nodePods = informer;
  }

  /**
   * Connects to the API server named by {@code settings.kubeconfig()}, or by fabric8's defaults (in-cluster service
   * account, else {@code ~/.kube/config}) when it is null. Returns at once: the informer and writers reach the API
   * server in the background and keep retrying while it is unreachable. The client's own per-request retries are
   * turned off, since every caller here retries with its own backoff. {@link #close()} closes the client.
   *
   * @param cachePods whether to cache this node's pods ({@link #nodePods()}); without, no pod watch is opened
   * @throws io.fabric8.kubernetes.client.KubernetesClientException if the kubeconfig cannot be read or parsed
   */
  public static KubeAccess connect(KubeSettings settings, boolean cachePods) {
    return connect(clientConfig(settings), settings, cachePods);
  }

  /**
   * The client configuration {@link #connect(KubeSettings, boolean)} uses, read now: the kubeconfig named by {@code
   * settings}, else fabric8's defaults; the client's own retries off, 10 s to connect, 30 s per request. Cheap next
   * to building the client, so an agent can check its configuration at start and connect later.
   *
   * @throws io.fabric8.kubernetes.client.KubernetesClientException if the kubeconfig cannot be read or parsed
   */
  public static Config clientConfig(KubeSettings settings) {
    Config base = settings.kubeconfig() == null
        ? Config.autoConfigure(null)
        : Config.fromKubeconfig(settings.kubeconfig().toFile());
    Config config = new ConfigBuilder(base)
        .withRequestRetryBackoffLimit(0)
        .withConnectionTimeout(10_000)
        .withRequestTimeout(30_000)
        .build();
    if (settings.kubeconfig() != null) {
      checkTlsMaterial(config, settings.kubeconfig());
    }
    return config;
  }

  /**
   * Loads the certificates and keys {@code config} names, as building the client will: a kubeconfig that reads fine
   * but names a missing CA file or holds a broken client key would otherwise fail only then. The CA is loaded as the
   * client will trust it, alone ({@link KubeClients#namedCaTrustManagers}); what the kubeconfig does not name is not
   * loaded, least of all the JVM's default trust store (~140 certificates, tens of milliseconds before the agent
   * serves), which holds nothing of the kubeconfig's to check.
   */
  private static void checkTlsMaterial(Config config, Path kubeconfig) {
    boolean namesCa = config.getCaCertFile() != null || config.getCaCertData() != null;
    boolean namesClientCertificate = config.getClientCertFile() != null
        || config.getClientCertData() != null
        || config.getClientKeyFile() != null
        || config.getClientKeyData() != null;
    try {
      if (namesCa && !config.isTrustCerts() && KubeClients.namedCaTrustManagers(config) == null) {
        SSLUtils.trustManagers(config); // a trust store of its own: fabric8 loads it
      }
      if (namesClientCertificate) {
        SSLUtils.keyManagers(config);
      }
    } catch (Exception e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      throw new KubernetesClientException(
          "kubeconfig " + kubeconfig + ": its certificates or keys cannot be loaded: " + root, e);
    }
  }

  /** Like {@link #connect(KubeSettings, boolean)} with a configuration read before ({@link #clientConfig}). */
  public static KubeAccess connect(Config config, KubeSettings settings, boolean cachePods) {
    ExecutorService executor = Executors.newCachedThreadPool(KubeThreads.named("client"));
    KubernetesClient client;
    try {
      client = KubeClients.create(config, executor);
    } catch (RuntimeException e) {
      executor.shutdownNow();
      throw e;
    }
    log.info(
        "kubernetes client created node={} server={}", settings.nodeName(), config.getMasterUrl());
    try {
      return new KubeAccess(
          client,
          executor,
          settings,
          PodScoping.SERVER_AND_CLIENT_SIDE,
          cachePods,
          Clock.systemUTC());
    } catch (RuntimeException e) {
      client.close();
      executor.shutdownNow();
      throw e;
    }
  }

  /**
   * Uses an existing client, narrowing pods to this node on the server and the client side. The caller keeps
   * ownership of {@code client}: {@link #close()} stops this object's informer and threads, not the client.
   */
  public static KubeAccess using(KubernetesClient client, KubeSettings settings) {
    return using(client, settings, PodScoping.SERVER_AND_CLIENT_SIDE);
  }

  /**
   * Like {@link #using(KubernetesClient, KubeSettings)} with an explicit {@link PodScoping}: tests against fabric8's
   * mock server pass {@link PodScoping#CLIENT_SIDE_ONLY}, because its CRUD mode returns nothing for a {@code
   * spec.nodeName} field selector.
   */
  public static KubeAccess using(
      KubernetesClient client, KubeSettings settings, PodScoping scoping) {
    return using(client, settings, scoping, Clock.systemUTC());
  }

  /** With the clock Event aggregation reads (tests). */
  static KubeAccess using(
      KubernetesClient client, KubeSettings settings, PodScoping scoping, Clock clock) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(scoping, "scoping");
    return new KubeAccess(client, null, settings, scoping, true, clock);
  }

  /** The Node this agent runs on. */
  public String nodeName() {
    return nodeName;
  }

  /**
   * This node's pods, from the informer cache.
   *
   * @throws IllegalStateException if this access was connected without a pod cache
   */
  public NodePods nodePods() {
    if (nodePods == null) {
      throw new IllegalStateException("connected without a pod cache: no pods of node " + nodeName);
    }
    return nodePods;
  }

  /** Retried, UID-guarded pod annotation. */
  public PodAnnotator podAnnotator() {
    return podAnnotator;
  }

  /** The labels and annotations this agent owns on its Node. */
  public NodeMetadataPublisher nodeMetadata() {
    return nodeMetadata;
  }

  /** Best-effort Events on this Node. */
  public NodeEvents nodeEvents() {
    return nodeEvents;
  }

  /** The Events implementation, for tests that wait for queued Events to be written. */
  AggregatingNodeEvents events() {
    return nodeEvents;
  }

  /**
   * Stops the informer and every worker thread; unfinished annotation and {@link NodeMetadataPublisher#published()}
   * futures complete with {@link java.util.concurrent.CancellationException}. Closes the client only when {@link
   * #connect} made it. Idempotent.
   */
  @Override
  public void close() {
    if (nodePods != null) {
      nodePods.close();
    }
    podAnnotator.close();
    nodeMetadata.close();
    nodeEvents.close();
    if (ownedClientExecutor != null) {
      client.close();
      ownedClientExecutor.shutdownNow();
    }
  }
}
