package io.kubeaccel.core.metrics;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.InventoryStore;
import io.kubeaccel.core.metrics.CardHolders.CardHolding;
import io.kubeaccel.nvml.Nvml;
import io.kubeaccel.nvml.NvmlException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples NVML on its own thread ({@code kubeaccel-metrics}) every interval and publishes an immutable {@link
 * NodeSample}; scrapes only read the last one. It holds its own NVML handle (NVML counts initialisations, so the
 * agent's handle and this one do not disturb each other), opened at the first sample and opened again after the
 * driver went away. A card whose queries fail loses only the values that failed.
 */
final class NvmlSampler implements AutoCloseable {

  /** Opens NVML: {@code Nvml.open(path)} in production. */
  @FunctionalInterface
  interface NvmlOpener {
    Nvml open();
  }

  private static final Logger log = LoggerFactory.getLogger(NvmlSampler.class);

  private final NvmlOpener opener;
  private final ProcessCgroups cgroups;
  private final MetricsSources sources;
  private final Duration interval;
  private final Clock clock;
  private final ScheduledExecutorService thread;
  private final CountDownLatch firstSample = new CountDownLatch(1);
  private volatile NodeSample latest;
  private volatile InventoryStore store;

  // Owned by the sampling thread.
  private CardReader reader;
  private boolean warnedOpen;

  NvmlSampler(
      NvmlOpener opener,
      ProcessCgroups cgroups,
      MetricsSources sources,
      Duration interval,
      Clock clock) {
    this.opener = opener;
    this.cgroups = cgroups;
    this.sources = sources;
    this.interval = interval;
    this.clock = clock;
    this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread t = new Thread(runnable, "kubeaccel-metrics");
      t.setDaemon(true);
      return t;
    });
  }

  /** Samples the cards of {@code inventory} now and then every interval. */
  void start(InventoryStore inventory) {
    store = inventory;
    thread.scheduleWithFixedDelay(this::sampleQuietly, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * The last sample; before the first one, waits up to {@code firstWait} for it (a scrape during start-up shows the
   * cards rather than a node without them). Empty when sampling has not started or the first sample is late.
   */
  Optional<NodeSample> latest(Duration firstWait) {
    NodeSample sample = latest;
    if (sample != null || store == null) {
      return Optional.ofNullable(sample);
    }
    try {
      firstSample.await(firstWait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Optional.ofNullable(latest);
  }

  /** Takes a sample now, on the sampling thread, and returns it (tests, instead of waiting an interval). */
  NodeSample sampleNow(Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    return thread
        .submit(() -> {
          sample();
          return latest;
        })
        .get(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void sampleQuietly() {
    try {
      sample();
    } catch (RuntimeException e) {
      // Never let one bad sample end the schedule.
      log.error("metrics sample failed", e);
    }
  }

  private void sample() {
    Instant start = clock.instant();
    long startNanos = System.nanoTime();
    Inventory inventory = store.current();
    Map<String, Map<MetricFamily, Double>> cards = new LinkedHashMap<>();
    ContainerTally tally = new ContainerTally(cgroups, sources.containers());
    boolean up = open();
    if (up) {
      try {
        for (Gpu gpu : inventory.gpus()) {
          cards.put(gpu.uuid(), reader.read(gpu, tally));
        }
      } catch (CardReader.DriverGone e) {
        log.warn(
            "NVML went away while sampling, reopening next time reason=\"{}\"", e.getMessage());
        closeNvml();
        up = false;
        cards.clear();
      }
    }
    Optional<List<CardHolding>> holdings = holdings(inventory);
    latest = new NodeSample(
        start,
        Duration.ofNanos(System.nanoTime() - startNanos),
        up,
        cards,
        tally.finish(),
        holdings);
    firstSample.countDown();
  }

  private Optional<List<CardHolding>> holdings(Inventory inventory) {
    try {
      return sources.holders().holdings(inventory);
    } catch (RuntimeException e) {
      log.debug("card holders failed", e);
      return Optional.empty();
    }
  }

  private boolean open() {
    if (reader != null) {
      return true;
    }
    try {
      reader = new CardReader(opener.open());
      if (warnedOpen) {
        log.info("NVML available to metrics again");
      }
      warnedOpen = false;
      return true;
    } catch (NvmlException e) {
      if (!warnedOpen) {
        log.warn(
            "NVML unavailable to metrics, retrying every sample reason=\"{}\"", e.getMessage());
        warnedOpen = true;
      }
      return false;
    }
  }

  private void closeNvml() {
    if (reader != null) {
      reader.close();
      reader = null;
    }
  }

  /** Stops sampling and releases this sampler's NVML handle. */
  @Override
  public void close() {
    thread.shutdownNow();
    try {
      if (thread.awaitTermination(2, TimeUnit.SECONDS)) {
        closeNvml();
      } else {
        // A hung NVML call: shutting NVML down under it could crash the process; exit releases it.
        log.warn("metrics sampler did not stop, leaving its NVML handle open");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
