package io.kubeaccel.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.core.inventory.Health;
import io.kubeaccel.nvml.NvmlException;
import io.kubeaccel.nvml.NvmlReturn;
import io.kubeaccel.nvml.fake.FakeGpu;
import io.kubeaccel.nvml.fake.FakeGpuModel;
import io.kubeaccel.nvml.fake.FakeInventory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code /metrics} over HTTP: per-card values from the fake NVML, read from the last sample, never from NVML. */
class MetricsEndpointTest {

  private static final long MIB = 1L << 20;

  private MetricsNode node;

  @AfterEach
  void close() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  private static FakeInventory busyAndIdle() {
    return FakeInventory.builder()
        .driverVersion("550.54.15")
        .cudaDriverVersion(12040)
        .gpu(FakeGpu.of(FakeGpuModel.H100_80GB_HBM3, "endpoint", 0)
            .withMemory(81559, 2048)
            .withUtilization(35, 20)
            .withTemperatureC(41)
            .withPowerMilliwatts(85_500))
        .gpu(FakeGpu.of(FakeGpuModel.H100_80GB_HBM3, "endpoint", 1))
        .build();
  }

  private String[] card(int index) {
    return new String[] {
      "uuid",
      node.uuid(index),
      "index",
      Integer.toString(index),
      "model",
      "NVIDIA H100 80GB HBM3",
      "mode",
      "pgpu"
    };
  }

  @Test
  void aScrapeShowsEachCardsNvmlReadingsHealthAndFacts() throws Exception {
    node = new MetricsNode(busyAndIdle());
    node.started();

    Exposition scraped = node.scrape();

    assertThat(scraped.value("kubeaccel_gpu_utilization_percent", card(0))).contains(35.0);
    assertThat(scraped.value("kubeaccel_gpu_memory_copy_utilization_percent", card(0)))
        .contains(20.0);
    assertThat(scraped.value("kubeaccel_gpu_temperature_celsius", card(0))).contains(41.0);
    assertThat(scraped.value("kubeaccel_gpu_power_watts", card(0))).contains(85.5);
    assertThat(scraped.value("kubeaccel_gpu_memory_used_bytes", card(0))).contains(2048.0 * MIB);
    assertThat(scraped.value("kubeaccel_gpu_memory_total_bytes", card(0))).contains(81559.0 * MIB);
    assertThat(scraped.value("kubeaccel_gpu_healthy", card(0))).contains(1.0);
    assertThat(scraped.value("kubeaccel_gpu_temperature_celsius", card(1))).contains(32.0);
    assertThat(scraped.all("kubeaccel_gpu_info"))
        .filteredOn(sample -> sample.labels().get("uuid").equals(node.uuid(0)))
        .singleElement()
        .satisfies(info -> assertThat(info.labels())
            .containsEntry("index", "0")
            .containsEntry("model", "NVIDIA H100 80GB HBM3")
            .containsEntry("mode", "pgpu")
            .containsEntry("driver_version", "550.54.15")
            .containsEntry("cuda_version", "12.4")
            .containsEntry("compute_capability", "9.0")
            .containsEntry("mig_mode", "disabled"));
    assertThat(scraped.value("kubeaccel_build_info", "version", "1.2.3-test", "mode", "pgpu"))
        .contains(1.0);
    assertThat(scraped.value("kubeaccel_agent_up")).contains(1.0);
    assertThat(scraped.value("kubeaccel_nvml_up")).contains(1.0);
    assertThat(scraped.value("kubeaccel_metrics_last_sample_timestamp_seconds"))
        .contains((double) node.clock.instant().getEpochSecond());
  }

  @Test
  void valuesChangedThroughTheControlFileShowAfterTheNextSampleOnly() throws Exception {
    node = new MetricsNode(busyAndIdle());
    node.started();
    node.scrape();

    node.nvml.setUtilization(node.uuid(1), 99, 73);
    node.nvml.setTemperature(node.uuid(1), 87);
    node.nvml.setPowerMilliwatts(node.uuid(1), 412_500);
    Exposition cached = node.scrape();
    node.sample();
    Exposition sampled = node.scrape();

    assertThat(cached.value("kubeaccel_gpu_utilization_percent", card(1))).contains(0.0);
    assertThat(cached.value("kubeaccel_gpu_temperature_celsius", card(1))).contains(32.0);
    assertThat(sampled.value("kubeaccel_gpu_utilization_percent", card(1))).contains(99.0);
    assertThat(sampled.value("kubeaccel_gpu_memory_copy_utilization_percent", card(1)))
        .contains(73.0);
    assertThat(sampled.value("kubeaccel_gpu_temperature_celsius", card(1))).contains(87.0);
    assertThat(sampled.value("kubeaccel_gpu_power_watts", card(1))).contains(412.5);
  }

  @Test
  void scrapesMakeNoNvmlCallOnlySamplesDo() throws Exception {
    node = new MetricsNode(busyAndIdle());
    node.started();
    node.scrape(); // waits for the first sample
    int afterFirstSample = node.counting.calls.get();

    for (int i = 0; i < 20; i++) {
      node.scrape();
    }
    assertThat(node.counting.calls.get()).isEqualTo(afterFirstSample);

    node.sample();
    assertThat(node.counting.calls.get()).isGreaterThan(afterFirstSample);
    assertThat(node.counting.opens.get()).isEqualTo(1); // one handle, kept open
  }

  @Test
  void healthAndXidsShowAtOnceWithoutASample() throws Exception {
    node = new MetricsNode(busyAndIdle());
    node.started();
    node.scrape();

    node.xids.record(node.uuid(1), 79);
    node.store.update(inventory -> inventory.withHealth(
        node.uuid(1), Health.unhealthy("XID 79", Instant.parse("2025-01-01T00:01:00Z"))));
    Exposition scraped = node.scrape();

    assertThat(scraped.value("kubeaccel_gpu_healthy", card(1))).contains(0.0);
    assertThat(scraped.value("kubeaccel_gpu_healthy", card(0))).contains(1.0);
    assertThat(scraped.value("kubeaccel_gpu_xid_errors_total", "uuid", node.uuid(1), "xid", "79"))
        .contains(1.0);
  }

  @Test
  void aSampleOlderThanThreeIntervalsIsNotShownAsCurrent() throws Exception {
    node = new MetricsNode(busyAndIdle());
    node.started();
    node.scrape();

    node.clock.advance(MetricsNode.INTERVAL.multipliedBy(3).plusSeconds(1));
    Exposition stale = node.scrape();

    assertThat(stale.all("kubeaccel_gpu_temperature_celsius")).isEmpty();
    assertThat(stale.all("kubeaccel_gpu_utilization_percent")).isEmpty();
    assertThat(stale.value("kubeaccel_nvml_up")).contains(0.0);
    assertThat(stale.value("kubeaccel_gpu_healthy", card(0))).contains(1.0);
    assertThat(stale.value("kubeaccel_metrics_last_sample_timestamp_seconds")).isPresent();

    node.sample();
    assertThat(node.scrape().value("kubeaccel_gpu_temperature_celsius", card(0)))
        .contains(41.0);
  }

  @Test
  void aQueryACardRefusesLosesOnlyThatValue() throws Exception {
    node = new MetricsNode(busyAndIdle());
    node.nvml.failCalls("nvmlDeviceGetTemperature", node.uuid(0), NvmlReturn.NOT_SUPPORTED);
    node.nvml.failCalls("nvmlDeviceGetPowerUsage", null, NvmlReturn.UNKNOWN);
    node.started();

    Exposition scraped = node.scrape();

    assertThat(scraped.value("kubeaccel_gpu_temperature_celsius", card(0))).isEmpty();
    assertThat(scraped.value("kubeaccel_gpu_temperature_celsius", card(1))).contains(32.0);
    assertThat(scraped.all("kubeaccel_gpu_power_watts")).isEmpty();
    assertThat(scraped.value("kubeaccel_gpu_utilization_percent", card(0))).contains(35.0);
    assertThat(scraped.value("kubeaccel_nvml_up")).contains(1.0);
  }

  @Test
  void withoutNvmlTheInventoryIsStillShownAndNvmlIsDown() throws Exception {
    node = new MetricsNode(busyAndIdle());
    node.metrics = new NodeMetrics(
        node.settings(Optional.of(new InetSocketAddress("127.0.0.1", 0))),
        "vgpu",
        "1.2.3-test",
        new MetricsSources(ContainerResolver.podUidOnly(), CardHolders.NONE),
        () -> {
          throw new NvmlException(NvmlReturn.DRIVER_NOT_LOADED, "nvmlInit_v2", "Driver Not Loaded");
        },
        node.clock);
    node.metrics.listen();
    node.watch();

    Exposition scraped = node.scrape();

    assertThat(scraped.value("kubeaccel_nvml_up")).contains(0.0);
    assertThat(scraped.all("kubeaccel_gpu_healthy")).hasSize(2);
    assertThat(scraped.all("kubeaccel_gpu_memory_total_bytes")).hasSize(2);
    assertThat(scraped.all("kubeaccel_gpu_temperature_celsius")).isEmpty();
  }

  @Test
  void onlyGetAndHeadOfMetricsAndHealthzAreAnswered() throws Exception {
    node = new MetricsNode(busyAndIdle());
    node.started();
    HttpClient http = HttpClient.newHttpClient();

    assertThat(node.get("/healthz").body()).isEqualTo("ok\n");
    assertThat(node.get("/nothing").statusCode()).isEqualTo(404);
    HttpResponse<String> post = http.send(
        HttpRequest.newBuilder(node.uri("/metrics"))
            .POST(HttpRequest.BodyPublishers.ofString("x"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
    HttpResponse<String> head = http.send(
        HttpRequest.newBuilder(node.uri("/metrics"))
            .method("HEAD", HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(node.get("/metrics").headers().firstValue("Content-Type"))
        .contains("text/plain; version=0.0.4; charset=utf-8");
  }

  @Test
  void openMetricsWhenTheScraperAsksAndGzipWhenItAccepts() throws Exception {
    node = new MetricsNode(busyAndIdle());
    node.started();
    HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> openMetrics = http.send(
        HttpRequest.newBuilder(node.uri("/metrics"))
            .header("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8")
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(openMetrics.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/openmetrics-text");
    assertThat(openMetrics.body()).endsWith("# EOF\n").contains("kubeaccel_gpu_healthy{");

    HttpResponse<byte[]> zipped = http.send(
        HttpRequest.newBuilder(node.uri("/metrics"))
            .header("Accept-Encoding", "gzip")
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(zipped.headers().firstValue("Content-Encoding")).contains("gzip");
    String text;
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(zipped.body()))) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(Exposition.parse(text).value("kubeaccel_gpu_healthy", card(0))).contains(1.0);
  }

  @Test
  void metricsOffListenNowhereAndNeverOpenNvml() throws Exception {
    node = new MetricsNode(busyAndIdle());
    node.start(
        new MetricsSources(ContainerResolver.podUidOnly(), CardHolders.NONE), Optional.empty());
    node.metrics.watch(node.store, node.xids);
    node.metrics.allocationObserver().allocated("nvidia.com/gpu", 1000);

    assertThat(node.metrics.address()).isEmpty();
    assertThat(node.metrics.sampler().latest(Duration.ZERO)).isEmpty();
    assertThat(node.counting.opens.get()).isZero();
  }

  @Test
  void anAddressInUseIsAnErrorNamingIt() throws Exception {
    node = new MetricsNode(busyAndIdle());
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", taken.getLocalPort());
      assertThatThrownBy(() -> node.start(
              new MetricsSources(ContainerResolver.podUidOnly(), CardHolders.NONE),
              Optional.of(address)))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("cannot serve metrics on")
          .hasMessageContaining(Integer.toString(taken.getLocalPort()));
    }
    node.metrics.watch(node.store, node.xids); // stays usable, without endpoint or sampling
    assertThat(node.metrics.address()).isEmpty();
    assertThat(node.counting.opens.get()).isZero();
  }
}
