package io.kubeaccel.extender;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.DoubleSupplier;

/**
 * The extender's Prometheus metrics, all named {@code kubeaccel_extender_*}, in a registry of its own (not the
 * process-wide default) served at {@code /metrics} in the text format.
 */
final class ExtenderMetrics {

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private final Counter requests = Counter.builder()
      .name("kubeaccel_extender_requests_total")
      .help("HTTP requests by path and status code")
      .labelNames("path", "code")
      .build();
  private final Histogram latency = Histogram.builder()
      .name("kubeaccel_extender_request_duration_seconds")
      .help("Time to answer the scheduler, by verb")
      .labelNames("verb")
      .classicOnly()
      .classicUpperBounds(
          0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
      .build();
  private final Counter nodes = Counter.builder()
      .name("kubeaccel_extender_filtered_nodes_total")
      .help("Nodes judged by predicates: passed, failed (full), unresolvable (cannot ever fit)")
      .labelNames("family", "result")
      .build();
  private final Counter grants = Counter.builder()
      .name("kubeaccel_extender_grants_total")
      .help(
          "Card assignments: granted, no_fit (capacity gone meanwhile), api_error (annotation or binding failed)")
      .labelNames("family", "result")
      .build();

  ExtenderMetrics() {
    registry.register(requests);
    registry.register(latency);
    registry.register(nodes);
    registry.register(grants);
  }

  /** Adds gauges read at scrape time. */
  void gauges(
      DoubleSupplier reservations,
      DoubleSupplier gpuNodes,
      DoubleSupplier pods,
      DoubleSupplier synced) {
    registry.register(gauge(
        "kubeaccel_extender_reservations",
        "Grants made and not yet seen back from the API server",
        reservations));
    registry.register(
        gauge("kubeaccel_extender_gpu_nodes", "Nodes publishing readable GPU capacity", gpuNodes));
    registry.register(
        gauge("kubeaccel_extender_tracked_pods", "Pods holding or assigned GPU shares", pods));
    registry.register(gauge(
        "kubeaccel_extender_cache_synced",
        "1 once the node and pod informers have synced",
        synced));
  }

  void request(String path, int code) {
    requests.labelValues(path, Integer.toString(code)).inc();
  }

  void latency(String verb, long nanos) {
    latency.labelValues(verb).observe(nanos / 1e9);
  }

  void filtered(String family, String result, int count) {
    if (count > 0) {
      nodes.labelValues(family, result).inc(count);
    }
  }

  void grant(String family, String result) {
    grants.labelValues(family, result).inc();
  }

  String contentType() {
    return writer.getContentType();
  }

  byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static GaugeWithCallback gauge(String name, String help, DoubleSupplier value) {
    return GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .callback(callback -> callback.call(value.getAsDouble()))
        .build();
  }
}
