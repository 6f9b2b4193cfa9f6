package io.kubeaccel.core.metrics;

import io.kubeaccel.core.health.XidTally;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.InventoryStore;
import io.kubeaccel.core.inventory.NumaLocator;
import io.kubeaccel.core.inventory.NvmlInventoryReader;
import io.kubeaccel.nvml.Nvml;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One test's node for metrics: a fake NVML, a fake {@code /proc}, the inventory the agent would read, and {@link
 * NodeMetrics} on 127.0.0.1 with an ephemeral port, sampling once at {@link #watch} and then only when the test asks
 * ({@link #sample}).
 */
final class MetricsNode implements AutoCloseable {

  /** Long enough that only the test's own samples happen after the first. */
  static final Duration INTERVAL = Duration.ofHours(1);

  final Path root;
  final FakeNode nvml;
  final Path proc;
  final InventoryStore store;
  final CountingNvml counting = CountingNvml.create();
  final XidTally xids = new XidTally();
  final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final HttpClient http = HttpClient.newHttpClient();
  NodeMetrics metrics;

  MetricsNode(FakeInventory inventory) throws IOException {
    root = Files.createTempDirectory(Path.of("/tmp"), "kam-");
    nvml = FakeNode.create(root.resolve("nvml"), inventory);
    proc = Files.createDirectories(root.resolve("proc"));
    Inventory read;
    try (Nvml opened = Nvml.open(nvml.libraryPath())) {
      read = new NvmlInventoryReader(new NumaLocator(nvml.sysfsRoot()), Clock.systemUTC())
          .read(opened);
    }
    store = new InventoryStore(read);
  }

  MetricsSettings settings(Optional<InetSocketAddress> address) {
    return new MetricsSettings(address, INTERVAL, proc, nvml.libraryPath());
  }

  /** Metrics on 127.0.0.1:0, listening, with {@code sources}; not yet watching. */
  NodeMetrics start(MetricsSources sources) throws IOException {
    return start(sources, Optional.of(new InetSocketAddress("127.0.0.1", 0)));
  }

  NodeMetrics start(MetricsSources sources, Optional<InetSocketAddress> address)
      throws IOException {
    metrics = new NodeMetrics(
        settings(address),
        "pgpu",
        "1.2.3-test",
        sources,
        counting.opener(() -> Nvml.open(nvml.libraryPath())),
        clock);
    metrics.listen();
    return metrics;
  }

  /** Metrics without container names or holders, watching the inventory, with a sample taken. */
  NodeMetrics started() throws Exception {
    start(new MetricsSources(ContainerResolver.podUidOnly(), CardHolders.NONE));
    watch();
    return metrics;
  }

  /** Watches the inventory and waits for a sample, so scrapes see the cards. */
  void watch() throws Exception {
    metrics.watch(store, xids);
    sample();
  }

  /** Takes an NVML sample now. */
  NodeSample sample() throws Exception {
    return metrics.sampler().sampleNow(Duration.ofSeconds(30));
  }

  /** GET {@code path} on the metrics endpoint. */
  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** Scrapes {@code /metrics} over HTTP and parses it. */
  Exposition scrape() throws IOException, InterruptedException {
    HttpResponse<String> response = get("/metrics");
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "scrape answered " + response.statusCode() + ": " + response.body());
    }
    return Exposition.parse(response.body());
  }

  URI uri(String path) {
    InetSocketAddress address = metrics.address().orElseThrow();
    return URI.create("http://127.0.0.1:" + address.getPort() + path);
  }

  /** Puts a process into a container's cgroup in the fake {@code /proc}. */
  void process(int pid, String cgroupFile) throws IOException {
    Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
    Files.writeString(dir.resolve("cgroup"), cgroupFile, StandardCharsets.UTF_8);
  }

  String uuid(int index) {
    return nvml.inventory().gpu(index).uuid();
  }

  @Override
  public void close() throws IOException {
    if (metrics != null) {
      metrics.close();
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  /** A clock the test moves. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant start) {
      now = start;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
