package io.kubeaccel.core.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /metrics} (Prometheus text, or OpenMetrics when the scraper asks for it; gzip when accepted) and {@code
 * /healthz} on the JDK's own HTTP server: client_java's exporter-httpserver is the same server plus an exporter layer
 * that pulls in the protobuf format's 2 MB of shaded protobuf. Two daemon threads ({@code kubeaccel-metrics-http-N});
 * a scrape only renders what the collectors hold in memory.
 */
final class MetricsHttpServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(MetricsHttpServer.class);
  private static final int THREADS = 2;

  private final HttpServer server;
  private final ExecutorService executor;
  private final PrometheusRegistry registry;
  private final PrometheusTextFormatWriter text = PrometheusTextFormatWriter.create();
  private final OpenMetricsTextFormatWriter openMetrics = OpenMetricsTextFormatWriter.create();

  private MetricsHttpServer(
      HttpServer server, ExecutorService executor, PrometheusRegistry registry) {
    this.server = server;
    this.executor = executor;
    this.registry = registry;
  }

  /**
   * Listens on {@code address} and serves until closed.
   *
   * @throws IOException when the address cannot be bound (in use, not local, no permission)
   */
  static MetricsHttpServer start(InetSocketAddress address, PrometheusRegistry registry)
      throws IOException {
    HttpServer server = HttpServer.create(address, 16);
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(THREADS, runnable -> {
      Thread thread = new Thread(runnable, "kubeaccel-metrics-http-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    MetricsHttpServer metrics = new MetricsHttpServer(server, executor, registry);
    server.createContext("/", metrics::handle);
    server.setExecutor(executor);
    server.start();
    return metrics;
  }

  /** Where it listens (the chosen port when started with port 0). */
  InetSocketAddress address() {
    return server.getAddress();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      if (!path.equals("/metrics") && !path.equals("/healthz")) {
        plain(exchange, 404, "not found: try /metrics or /healthz\n");
        return;
      }
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        plain(exchange, 405, "method not allowed: " + method + "\n");
        return;
      }
      if (path.equals("/healthz")) {
        plain(exchange, 200, "ok\n");
        return;
      }
      metrics(exchange, method.equals("HEAD"));
    } catch (IOException | RuntimeException e) {
      log.warn("metrics request failed error={}", e.toString());
    }
  }

  private void metrics(HttpExchange exchange, boolean headOnly) throws IOException {
    String accept = exchange.getRequestHeaders().getFirst("Accept");
    ExpositionFormatWriter writer = openMetrics.accepts(accept) ? openMetrics : text;
    ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
    try {
      writer.write(body, registry.scrape());
    } catch (RuntimeException e) {
      log.warn("metrics scrape failed error={}", e.toString());
      plain(exchange, 500, "scrape failed: " + e.getMessage() + "\n");
      return;
    }
    byte[] bytes = body.toByteArray();
    String encoding = exchange.getRequestHeaders().getFirst("Accept-Encoding");
    if (encoding != null && encoding.contains("gzip")) {
      ByteArrayOutputStream zipped = new ByteArrayOutputStream(bytes.length / 4 + 64);
      try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
        gzip.write(bytes);
      }
      bytes = zipped.toByteArray();
      exchange.getResponseHeaders().set("Content-Encoding", "gzip");
    }
    exchange.getResponseHeaders().set("Content-Type", writer.getContentType());
    send(exchange, 200, bytes, headOnly);
  }

  private static void plain(HttpExchange exchange, int status, String message) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    send(
        exchange,
        status,
        message.getBytes(StandardCharsets.UTF_8),
        exchange.getRequestMethod().equals("HEAD"));
  }

  private static void send(HttpExchange exchange, int status, byte[] body, boolean headOnly)
      throws IOException {
    if (headOnly) {
      exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** Stops listening at once and ends its threads. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
