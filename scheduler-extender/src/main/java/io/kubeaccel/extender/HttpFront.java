package io.kubeaccel.extender;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP(S) edge, on the JDK's own server: routes, body limits, status codes and metrics; no decision is made here.
 *
 * <ul>
 *   <li>{@code POST /scheduler/predicates}, {@code /scheduler/priorities}, {@code /scheduler/bind}: the scheduler's
 *       verbs; 400 with {@code {"Error": reason}} for a body that is not what the scheduler sends, 413 past the
 *       size limit;
 *   <li>{@code GET /healthz} (the process answers), {@code /readyz} (caches synced), {@code /version}, {@code
 *       /metrics};
 *   <li>404 for other paths, 405 for other methods; an unexpected failure is 500 with one line, never a stack trace.
 * </ul>
 */
final class HttpFront implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HttpFront.class);
  private static final String JSON = "application/json";
  private static final String TEXT = "text/plain; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService workers;
  private final Extender extender;
  private final WireFormat wire;
  private final ExtenderMetrics metrics;
  private final BooleanSupplier ready;
  private final ExtenderSettings settings;

  /** Paths served without a client certificate when clients are verified: the kubelet's probes carry none. */
  private static final java.util.Set<String> PROBES = java.util.Set.of("/healthz", "/readyz");

  /** Whether the caller may be served: no client verification is configured, or it showed a verified certificate. */
  private boolean clientVerified(HttpExchange exchange) {
    if (settings.tls() == null || settings.tls().clientCa() == null) {
      return true;
    }
    try {
      return ((com.sun.net.httpserver.HttpsExchange) exchange)
              .getSSLSession()
              .getPeerCertificates()
              .length
          > 0;
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      return false;
    }
  }

  private HttpFront(
      HttpServer server,
      ExecutorService workers,
      Extender extender,
      WireFormat wire,
      ExtenderMetrics metrics,
      BooleanSupplier ready,
      ExtenderSettings settings) {
    this.server = server;
    this.workers = workers;
    this.extender = extender;
    this.wire = wire;
    this.metrics = metrics;
    this.ready = ready;
    this.settings = settings;
  }

  /**
   * Serves until {@link #close()}.
   *
   * @throws IOException when the address cannot be bound
   * @throws IllegalArgumentException when the TLS files are unusable
   */
  static HttpFront start(
      ExtenderSettings settings,
      Extender extender,
      WireFormat wire,
      ExtenderMetrics metrics,
      BooleanSupplier ready)
      throws IOException {
    applyTimeouts(settings);
    HttpServer server;
    if (settings.tls() != null) {
      SSLContext context = TlsContexts.serverContext(settings.tls());
      boolean verifyClients = settings.tls().clientCa() != null;
      HttpsServer https = HttpsServer.create(settings.listen(), 128);
      https.setHttpsConfigurator(new HttpsConfigurator(context) {
        @Override
        public void configure(HttpsParameters parameters) {
          SSLParameters ssl = context.getDefaultSSLParameters();
          // Asked for, verified when shown (a certificate the CA did not sign fails the handshake),
          // and
          // required per path in handle(): the kubelet's probes of /healthz and /readyz carry none.
          ssl.setWantClientAuth(verifyClients);
          parameters.setSSLParameters(ssl);
        }
      });
      server = https;
    } else {
      server = HttpServer.create(settings.listen(), 128);
    }
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor workers = new ThreadPoolExecutor(
        settings.threads(),
        settings.threads(),
        60,
        TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(),
        task -> {
          Thread thread = new Thread(task, "kubeaccel-extender-http-" + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    HttpFront front = new HttpFront(server, workers, extender, wire, metrics, ready, settings);
    server.createContext("/", front::handle);
    server.setExecutor(workers);
    server.start();
    log.info(
        "serving scheduler extender address={} tls={} clientVerification={} assignAt={}",
        server.getAddress(),
        settings.tls() != null,
        settings.tls() != null && settings.tls().clientCa() != null,
        settings.assignAt().wireName());
    return front;
  }

  /**
   * The JDK server reads its time limits once, from system properties, when its first server starts: how long a
   * request may take to arrive, and an answer to be sent. A slow or stalled client loses its connection.
   */
  private static void applyTimeouts(ExtenderSettings settings) {
    String seconds = Long.toString(settings.requestTimeout().toSeconds());
    System.setProperty("sun.net.httpserver.maxReqTime", seconds);
    System.setProperty("sun.net.httpserver.maxRspTime", seconds);
  }

  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
  }

  private void handle(HttpExchange exchange) {
    String path = exchange.getRequestURI().getPath();
    long start = System.nanoTime();
    int code = 500;
    try {
      if (!PROBES.contains(path) && !clientVerified(exchange)) {
        code = send(
            exchange,
            401,
            TEXT,
            bytes(
                "a client certificate signed by the extender's --tls-client-ca-file is required for "
                    + path + "\n"));
        return;
      }
      code = switch (path) {
        case "/scheduler/predicates" -> verb(exchange, "predicates", start);
        case "/scheduler/priorities" -> verb(exchange, "priorities", start);
        case "/scheduler/bind" -> verb(exchange, "bind", start);
        case "/healthz" -> get(exchange, () -> new Answer(200, TEXT, bytes("ok\n")));
        case "/readyz" ->
          get(
              exchange,
              () -> ready.getAsBoolean()
                  ? new Answer(200, TEXT, bytes("ok\n"))
                  : new Answer(503, TEXT, bytes("node and pod caches not synced yet\n")));
        case "/version" ->
          get(
              exchange,
              () -> new Answer(
                  200,
                  JSON,
                  bytes("{\"name\":\"kubeaccel-scheduler-extender\",\"version\":\""
                      + settings.version().replace("\"", "") + "\"}")));
        case "/metrics" ->
          get(exchange, () -> new Answer(200, metrics.contentType(), metrics.scrape()));
        default ->
          send(
              exchange,
              404,
              TEXT,
              bytes("no such path: " + path
                  + "; the extender serves /scheduler/predicates, /scheduler/priorities, /scheduler/bind,"
                  + " /healthz, /readyz, /version and /metrics\n"));
      };
    } catch (IOException e) {
      log.debug("connection failed path={} error={}", path, e.toString());
    } catch (RuntimeException e) {
      // A bug, not a bad request: say so in one line, keep the trace in the log only.
      log.error("request failed path={}", path, e);
      code = 500;
      try {
        send(exchange, 500, TEXT, bytes("internal error: " + e.getClass().getSimpleName() + "\n"));
      } catch (IOException | RuntimeException ignored) {
        // the connection is gone already
      }
    } finally {
      exchange.close();
      metrics.request(metricPath(path), code);
    }
  }

  /** One of the scheduler's POST verbs. */
  private int verb(HttpExchange exchange, String verb, long start) throws IOException {
    if (!exchange.getRequestMethod().equals("POST")) {
      exchange.getResponseHeaders().set("Allow", "POST");
      return send(exchange, 405, TEXT, bytes(verb + " takes POST\n"));
    }
    byte[] body;
    try {
      body = readBody(exchange, settings.maxBodyBytes());
    } catch (BodyTooLargeException e) {
      exchange.getResponseHeaders().set("Connection", "close");
      return send(exchange, 413, JSON, wire.writeError(e.getMessage()));
    }
    byte[] answer;
    try {
      answer = switch (verb) {
        case "predicates" -> {
          ExtenderArgs args = wire.readArgs(body);
          yield wire.writeFilter(args, extender.filter(args));
        }
        case "priorities" -> wire.writePriorities(extender.prioritize(wire.readArgs(body)));
        default -> wire.writeError(extender.bind(wire.readBinding(body)));
      };
    } catch (MalformedRequestException e) {
      log.warn("malformed request verb={} reason=\"{}\"", verb, e.getMessage());
      return send(exchange, 400, JSON, wire.writeError(e.getMessage()));
    }
    metrics.latency(verb, System.nanoTime() - start);
    return send(exchange, 200, JSON, answer);
  }

  private int get(HttpExchange exchange, java.util.function.Supplier<Answer> answer)
      throws IOException {
    String method = exchange.getRequestMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      exchange.getResponseHeaders().set("Allow", "GET, HEAD");
      return send(exchange, 405, TEXT, bytes("takes GET\n"));
    }
    Answer a = answer.get();
    return send(exchange, a.code(), a.contentType(), a.body());
  }

  private record Answer(int code, String contentType, byte[] body) {}

  private static int send(HttpExchange exchange, int code, String contentType, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(code, head ? -1 : body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
    return code;
  }

  /** The body, refused past {@code limit} bytes whether or not a Content-Length announced it. */
  private static byte[] readBody(HttpExchange exchange, int limit) throws IOException {
    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
    try (InputStream in = exchange.getRequestBody()) {
      if (declared != null && parsedLength(declared) > limit) {
        drain(in, limit);
        throw new BodyTooLargeException(parsedLength(declared), limit);
      }
      byte[] body = in.readNBytes(limit + 1);
      if (body.length > limit) {
        drain(in, limit);
        throw new BodyTooLargeException(-1, limit);
      }
      return body;
    }
  }

  /**
   * Reads and drops up to {@code limit} more bytes, so that a client still sending a body only somewhat too large
   * reads the 413 instead of a reset connection; past that the connection is closed on it.
   */
  private static void drain(InputStream in, int limit) throws IOException {
    long left = limit;
    byte[] buffer = new byte[65536];
    int n;
    while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
      left -= n;
    }
  }

  private static long parsedLength(String declared) {
    try {
      return Long.parseLong(declared.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static final class BodyTooLargeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BodyTooLargeException(long length, int limit) {
      super("request body " + (length >= 0 ? "of " + length + " bytes " : "")
          + "exceeds the limit of " + limit
          + " bytes (--max-body-bytes); with many nodes, configure"
          + " nodeCacheCapable: true so the scheduler sends node names instead of Node objects");
    }
  }

  private static String metricPath(String path) {
    return switch (path) {
      case "/scheduler/predicates",
          "/scheduler/priorities",
          "/scheduler/bind",
          "/healthz",
          "/readyz",
          "/version",
          "/metrics" -> path;
      default -> "other";
    };
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
