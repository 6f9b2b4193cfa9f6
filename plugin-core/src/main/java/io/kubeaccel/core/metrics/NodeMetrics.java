package io.kubeaccel.core.metrics;

import io.kubeaccel.core.health.XidTally;
import io.kubeaccel.core.inventory.InventoryStore;
import io.kubeaccel.core.server.AllocationObserver;
import io.kubeaccel.nvml.Nvml;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics of one node agent: Allocate counters and latency (through {@link #allocationObserver()}), per card and
 * per container values sampled from NVML on a thread of their own, and {@code /metrics} to read them.
 *
 * <p>Lifecycle: {@link #create}, {@link #listen()} (before the agent registers), hand {@link #allocationObserver()}
 * to the runtime, {@link #watch} its inventory and XID tally once it runs, {@link #close()} at the end.
 * Nothing on the kubelet's request path or a scrape calls NVML: scrapes read the last sample, taken every {@link
 * MetricsSettings#sampleInterval()}. With metrics {@link MetricsSettings#enabled() off} nothing listens and nothing
 * is sampled; the observer still counts (cheaply) for nobody.
 */
public final class NodeMetrics implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NodeMetrics.class);

  private final MetricsSettings settings;
  private final MetricsSources sources;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final AllocationMetrics allocations;
  private final XidCounter xids;
  private final NvmlSampler sampler;
  private volatile InventoryStore store;
  private volatile MetricsHttpServer server;

  NodeMetrics(
      MetricsSettings settings,
      String mode,
      String version,
      MetricsSources sources,
      NvmlSampler.NvmlOpener opener,
      Clock clock) {
    this.settings = settings;
    this.sources = sources;
    this.allocations = new AllocationMetrics(registry);
    this.xids = new XidCounter(registry);
    this.sampler = new NvmlSampler(
        opener, new ProcessCgroups(settings.procRoot()), sources, settings.sampleInterval(), clock);
    registry.register(
        new SampleCollector(mode, version, () -> store, sampler, clock, settings.sampleInterval()));
  }

  /**
   * The metrics of an agent of {@code mode}; nothing listens yet ({@link #listen()}).
   *
   * @param version the agent's version, for {@code kubeaccel_build_info}
   * @param sources what the mode knows about its containers; closed by {@link #close()}
   */
  public static NodeMetrics create(
      MetricsSettings settings, String mode, String version, MetricsSources sources) {
    return new NodeMetrics(
        settings, mode, version, sources, () -> Nvml.open(settings.nvml()), Clock.systemUTC());
  }

  /**
   * Serves {@code /metrics} on the settings' address, unless metrics are off. Call before the agent registers, so a
   * scraper never finds a registered agent without its endpoint.
   *
   * @throws IOException when the address cannot be bound (in use, not local); these metrics then stay without an
   *     endpoint, and {@link #watch} samples nothing
   */
  public synchronized void listen() throws IOException {
    Optional<InetSocketAddress> address = settings.address();
    if (address.isEmpty()) {
      log.info("metrics off");
      return;
    }
    try {
      server = MetricsHttpServer.start(address.get(), registry);
    } catch (IOException e) {
      throw new IOException("cannot serve metrics on " + address.get() + ": " + e.getMessage(), e);
    }
    InetSocketAddress bound = server.address();
    log.info(
        "metrics served address={}:{} sampleInterval={}",
        bound.getHostString(),
        bound.getPort(),
        settings.sampleInterval());
  }

  /** Counts and times Allocate calls; cheap enough for the kubelet's request path. */
  public AllocationObserver allocationObserver() {
    return allocations;
  }

  /**
   * Starts reporting the cards of {@code inventory}: their health as it changes, the critical XIDs {@code xids}
   * counts, and NVML samples every interval (the first one at once). Does nothing unless {@link #listen()} serves the
   * endpoint. Call once.
   */
  public synchronized void watch(InventoryStore inventory, XidTally xids) {
    Objects.requireNonNull(inventory, "inventory");
    Objects.requireNonNull(xids, "xids");
    if (server == null || store != null) {
      return;
    }
    store = inventory;
    this.xids.follow(xids);
    sampler.start(inventory);
  }

  /** Where {@code /metrics} is served (with the real port when asked for port 0); empty when off. */
  public Optional<InetSocketAddress> address() {
    return Optional.ofNullable(server).map(MetricsHttpServer::address);
  }

  /** The registry, for tests that read it without HTTP. */
  PrometheusRegistry registry() {
    return registry;
  }

  /** The sampler, for tests that take a sample instead of waiting an interval. */
  NvmlSampler sampler() {
    return sampler;
  }

  /** Stops serving and sampling, releases the sampler's NVML handle and closes the sources. Idempotent. */
  @Override
  public synchronized void close() {
    if (server != null) {
      server.close();
      server = null;
    }
    sampler.close();
    sources.holders().close();
  }
}
