package io.kubeaccel.core.metrics;

import io.kubeaccel.core.inventory.DriverInfo;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.InventoryStore;
import io.kubeaccel.core.metrics.CardHolders.CardHolding;
import io.kubeaccel.core.metrics.NodeSample.ContainerUsage;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Turns the last {@link NodeSample} and the current inventory into metric snapshots at scrape time. Reads memory
 * only: no NVML call, no file, no API call. A sample older than {@link #staleAfter} is not shown (its values would
 * look current): the cards' NVML values, the containers and the holders disappear, and {@code
 * kubeaccel_metrics_last_sample_timestamp_seconds} tells how old the last one is.
 */
final class SampleCollector implements MultiCollector {

  /** The families this collector writes; the counters and the histogram are client_java metrics of their own. */
  private static final List<MetricFamily> FAMILIES = List.of(
      MetricFamily.AGENT_UP,
      MetricFamily.BUILD_INFO,
      MetricFamily.NVML_UP,
      MetricFamily.LAST_SAMPLE,
      MetricFamily.SAMPLE_DURATION,
      MetricFamily.GPU_INFO,
      MetricFamily.GPU_HEALTHY,
      MetricFamily.GPU_MEMORY_TOTAL,
      MetricFamily.GPU_UTILIZATION,
      MetricFamily.GPU_MEMORY_COPY_UTILIZATION,
      MetricFamily.GPU_MEMORY_USED,
      MetricFamily.GPU_TEMPERATURE,
      MetricFamily.GPU_POWER,
      MetricFamily.GPU_PROCESSES,
      MetricFamily.GPU_ALLOCATED,
      MetricFamily.CONTAINER_UTILIZATION,
      MetricFamily.CONTAINER_MEMORY_USED,
      MetricFamily.CONTAINER_ALLOCATED);

  private final String mode;
  private final String version;
  private final Supplier<InventoryStore> store;
  private final NvmlSampler sampler;
  private final Clock clock;
  private final Duration staleAfter;
  private final Duration firstSampleWait;

  SampleCollector(
      String mode,
      String version,
      Supplier<InventoryStore> store,
      NvmlSampler sampler,
      Clock clock,
      Duration interval) {
    this.mode = mode;
    this.version = version;
    this.store = store;
    this.sampler = sampler;
    this.clock = clock;
    this.staleAfter = interval.multipliedBy(3);
    this.firstSampleWait =
        interval.compareTo(Duration.ofSeconds(2)) < 0 ? interval : Duration.ofSeconds(2);
  }

  @Override
  public List<MetricFamilyDescriptor> getMetricFamilyDescriptors() {
    List<MetricFamilyDescriptor> descriptors = new ArrayList<>();
    for (MetricFamily family : FAMILIES) {
      MetricFamilyDescriptor.Builder<?> builder = family.kind == MetricFamily.Kind.INFO
          ? MetricFamilyDescriptor.info(family.registeredName())
          : MetricFamilyDescriptor.gauge(family.name);
      descriptors.add(builder.help(family.help).labelNames(family.labels).build());
    }
    return descriptors;
  }

  @Override
  public MetricSnapshots collect() {
    Map<MetricFamily, List<Point>> points = new EnumMap<>(MetricFamily.class);
    FAMILIES.forEach(family -> points.put(family, new ArrayList<>()));
    point(points, MetricFamily.AGENT_UP, 1);
    point(points, MetricFamily.BUILD_INFO, 1, version, mode);

    InventoryStore inventoryStore = store.get();
    Optional<NodeSample> sample = sampler.latest(firstSampleWait);
    sample.ifPresent(s -> {
      point(points, MetricFamily.LAST_SAMPLE, s.takenAt().toEpochMilli() / 1000.0);
      point(points, MetricFamily.SAMPLE_DURATION, s.took().toNanos() / 1e9);
    });
    Optional<NodeSample> fresh =
        sample.filter(s -> !s.takenAt().plus(staleAfter).isBefore(clock.instant()));
    if (inventoryStore != null) {
      point(points, MetricFamily.NVML_UP, fresh.map(s -> s.nvmlUp() ? 1 : 0).orElse(0));
      Inventory inventory = inventoryStore.current();
      cards(points, inventory, fresh);
      fresh.ifPresent(s -> containers(points, s));
    }

    MetricSnapshots.Builder snapshots = MetricSnapshots.builder();
    for (MetricFamily family : FAMILIES) {
      snapshots.metricSnapshot(snapshot(family, points.get(family)));
    }
    return snapshots.build();
  }

  private void cards(
      Map<MetricFamily, List<Point>> points, Inventory inventory, Optional<NodeSample> sample) {
    Set<String> held = new HashSet<>();
    Optional<List<CardHolding>> holdings = sample.flatMap(NodeSample::holdings);
    holdings.ifPresent(list -> list.forEach(holding -> held.add(holding.cardUuid())));
    for (Gpu gpu : inventory.gpus()) {
      String[] card = {gpu.uuid(), Integer.toString(gpu.index()), gpu.model(), mode};
      point(points, MetricFamily.GPU_INFO, 1, cardInfo(card, gpu, inventory));
      point(points, MetricFamily.GPU_HEALTHY, inventory.health(gpu.uuid()).healthy() ? 1 : 0, card);
      point(points, MetricFamily.GPU_MEMORY_TOTAL, gpu.memoryBytes(), card);
      sample
          .map(s -> s.cards().get(gpu.uuid()))
          .ifPresent(
              values -> values.forEach((family, value) -> point(points, family, value, card)));
      if (holdings.isPresent()) {
        point(points, MetricFamily.GPU_ALLOCATED, held.contains(gpu.uuid()) ? 1 : 0, card);
      }
    }
    holdings.ifPresent(list -> list.forEach(holding -> point(
        points,
        MetricFamily.CONTAINER_ALLOCATED,
        1,
        holding.namespace(),
        holding.pod(),
        holding.container(),
        holding.cardUuid())));
  }

  /** The card labels followed by the info labels: driver, CUDA, compute capability, MIG mode. */
  private static String[] cardInfo(String[] card, Gpu gpu, Inventory inventory) {
    DriverInfo driver = inventory.driver();
    return Stream.concat(
            Stream.of(card),
            Stream.of(
                driver == null ? "" : driver.version(),
                driver == null ? "" : driver.cudaVersion().toString(),
                gpu.computeCapability().toString(),
                gpu.mig().name().toLowerCase(Locale.ROOT)))
        .toArray(String[]::new);
  }

  private static void containers(Map<MetricFamily, List<Point>> points, NodeSample sample) {
    for (ContainerUsage usage : sample.containers()) {
      String[] labels = {
        usage.name().namespace(),
        usage.name().pod(),
        usage.name().container(),
        usage.podUid(),
        usage.cardUuid()
      };
      point(points, MetricFamily.CONTAINER_MEMORY_USED, usage.memoryBytes(), labels);
      usage
          .utilizationPercent()
          .ifPresent(percent -> point(points, MetricFamily.CONTAINER_UTILIZATION, percent, labels));
    }
  }

  private static void point(
      Map<MetricFamily, List<Point>> points, MetricFamily family, double value, String... labels) {
    points
        .get(family)
        .add(new Point(Labels.of(family.labels.toArray(String[]::new), labels), value));
  }

  private static MetricSnapshot snapshot(MetricFamily family, List<Point> points) {
    if (family.kind == MetricFamily.Kind.INFO) {
      InfoSnapshot.Builder info =
          InfoSnapshot.builder().name(family.registeredName()).help(family.help);
      points.forEach(
          p -> info.dataPoint(InfoDataPointSnapshot.builder().labels(p.labels).build()));
      return info.build();
    }
    GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(family.name).help(family.help);
    points.forEach(p -> gauge.dataPoint(
        GaugeDataPointSnapshot.builder().labels(p.labels).value(p.value).build()));
    return gauge.build();
  }

  private record Point(Labels labels, double value) {}
}
