package io.kubeaccel.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The part of the Kubernetes API a whole-card agent uses, for {@code bench}: one Node to read and patch (JSON patch
 * and merge patch on its metadata) and Events to create and patch, in memory, over plain HTTP on loopback. The agent
 * reaches it as fabric8 reaches an API server, so the bench measures the agent with its Kubernetes client at work.
 * Anything else is answered 404 with a Status, as an API server does for an unknown object.
 */
final class ApiServerStandIn implements AutoCloseable {

  private static final int MAX_BODY_BYTES = 1 << 20;

  private final ObjectMapper json = JsonMapper.builder().build();
  private final String nodeName;
  private final HttpServer server;
  private final ExecutorService executor;
  private final AtomicInteger resourceVersion = new AtomicInteger(1);
  private final AtomicInteger nodePatches = new AtomicInteger();
  private final List<String> unserved = new java.util.concurrent.CopyOnWriteArrayList<>();
  // Guarded by this.
  private final ObjectNode node;
  // Guarded by this.
  private final Map<String, ObjectNode> events = new LinkedHashMap<>();

  private ApiServerStandIn(String nodeName) throws IOException {
    this.nodeName = nodeName;
    this.node = json.createObjectNode();
    node.put("apiVersion", "v1").put("kind", "Node");
    ObjectNode metadata = node.putObject("metadata");
    metadata.put("name", nodeName).put("uid", "bench-node-uid").put("resourceVersion", "1");
    metadata.putObject("labels").put("kubernetes.io/hostname", nodeName);
    metadata.putObject("annotations");
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    this.executor = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "bench-api-server");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Serves {@code nodeName}'s Node on an ephemeral loopback port. */
  static ApiServerStandIn start(String nodeName) throws IOException {
    return new ApiServerStandIn(nodeName);
  }

  /** The URL fabric8 is pointed at, e.g. {@code http://127.0.0.1:41234}. */
  String url() {
    InetSocketAddress address = server.getAddress();
    return "http://" + address.getHostString() + ":" + address.getPort();
  }

  /**
   * JVM options that point fabric8 at this server the way a pod's service account would, without a kubeconfig file:
   * in a cluster the agent reads none either.
   */
  List<String> clientOptions() {
    return List.of(
        "-Dkubernetes.master=" + url(),
        "-Dkubernetes.auth.tryKubeConfig=false",
        "-Dkubernetes.auth.tryServiceAccount=false",
        "-Dkubernetes.namespace=default");
  }

  /** Patches of the Node received so far. */
  int nodePatches() {
    return nodePatches.get();
  }

  /** Requests answered 404 because nothing here serves them, as {@code METHOD URI}. */
  List<String> unserved() {
    return List.copyOf(unserved);
  }

  /** Events created so far. */
  synchronized int events() {
    return events.size();
  }

  /** The Node's labels now. */
  synchronized Map<String, String> nodeLabels() {
    Map<String, String> labels = new LinkedHashMap<>();
    node.path("metadata")
        .path("labels")
        .properties()
        .forEach(e -> labels.put(e.getKey(), e.getValue().asString()));
    return labels;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      try {
        route(exchange);
      } catch (JacksonException | IllegalArgumentException e) {
        respond(exchange, 422, status(422, "Invalid", e.getMessage()));
      }
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    byte[] body = readBody(exchange.getRequestBody());
    String type = exchange.getRequestHeaders().getFirst("Content-Type");
    String nodePath = "/api/v1/nodes/" + nodeName;
    String eventsPath = "/api/v1/namespaces/default/events";
    String event =
        path.startsWith(eventsPath + "/") ? path.substring(eventsPath.length() + 1) : null;
    if (path.equals(nodePath) && method.equals("GET")) {
      respond(exchange, 200, snapshotNode());
    } else if (path.equals(nodePath) && method.equals("PATCH")) {
      patchNode(exchange, body, type);
    } else if (path.equals(eventsPath) && method.equals("POST")) {
      respond(exchange, 201, createEvent(body));
    } else if (event != null && method.equals("GET") && event(event) != null) {
      respond(exchange, 200, event(event));
    } else if (event != null && method.equals("PATCH")) {
      patchEvent(exchange, event, body);
    } else {
      unserved.add(method + " " + exchange.getRequestURI());
      respond(exchange, 404, status(404, "NotFound", method + " " + path + " is not served"));
    }
  }

  private synchronized JsonNode event(String name) {
    ObjectNode event = events.get(name);
    return event == null ? null : event.deepCopy();
  }

  private synchronized JsonNode snapshotNode() {
    return node.deepCopy();
  }

  private void patchNode(HttpExchange exchange, byte[] body, String type) throws IOException {
    JsonNode patch = json.readTree(body);
    synchronized (this) {
      if (type != null && type.startsWith("application/json-patch+json")) {
        for (JsonNode operation : patch) {
          if (!applyOperation(operation)) {
            respond(exchange, 409, status(409, "Conflict", "test failed: " + operation));
            return;
          }
        }
      } else {
        mergeInto(node, patch);
      }
      ((ObjectNode) node.get("metadata"))
          .put("resourceVersion", Integer.toString(resourceVersion.incrementAndGet()));
      nodePatches.incrementAndGet();
    }
    respond(exchange, 200, snapshotNode());
  }

  /** One RFC 6902 operation on an object member of the Node; false when a {@code test} does not hold. */
  private boolean applyOperation(JsonNode operation) {
    String op = operation.path("op").asString();
    List<String> path = pointer(operation.path("path").asString());
    ObjectNode parent = node;
    for (String step : path.subList(0, path.size() - 1)) {
      JsonNode next = parent.get(step);
      if (next == null || !next.isObject()) {
        throw new IllegalArgumentException(
            "no object at " + operation.path("path").asString());
      }
      parent = (ObjectNode) next;
    }
    String last = path.get(path.size() - 1);
    switch (op) {
      case "test" -> {
        return operation.get("value").equals(parent.get(last));
      }
      case "add", "replace" -> parent.set(last, operation.get("value"));
      case "remove" -> parent.remove(last);
      default -> throw new IllegalArgumentException("unsupported JSON patch operation " + op);
    }
    return true;
  }

  private static List<String> pointer(String path) {
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("JSON pointer must start with /: " + path);
    }
    return java.util.Arrays.stream(path.substring(1).split("/", -1))
        .map(step -> step.replace("~1", "/").replace("~0", "~"))
        .toList();
  }

  /** RFC 7386 merge patch. */
  private static void mergeInto(ObjectNode target, JsonNode patch) {
    for (Map.Entry<String, JsonNode> member : patch.properties()) {
      JsonNode value = member.getValue();
      if (value.isNull()) {
        target.remove(member.getKey());
      } else if (value.isObject() && target.get(member.getKey()) instanceof ObjectNode inner) {
        mergeInto(inner, value);
      } else {
        target.set(member.getKey(), value);
      }
    }
  }

  private synchronized JsonNode createEvent(byte[] body) {
    ObjectNode event = (ObjectNode) json.readTree(body);
    ObjectNode metadata = (ObjectNode) event.path("metadata");
    String name = metadata.path("name").asString("event-" + events.size());
    metadata
        .put("name", name)
        .put("uid", "event-uid-" + events.size())
        .put("resourceVersion", Integer.toString(resourceVersion.incrementAndGet()));
    events.put(name, event);
    return event.deepCopy();
  }

  private void patchEvent(HttpExchange exchange, String name, byte[] body) throws IOException {
    JsonNode patch = json.readTree(body);
    JsonNode patched;
    synchronized (this) {
      ObjectNode event = events.get(name);
      if (event == null) {
        patched = null;
      } else {
        mergeInto(event, patch);
        patched = event.deepCopy();
      }
    }
    if (patched == null) {
      respond(exchange, 404, status(404, "NotFound", "events \"" + name + "\" not found"));
    } else {
      respond(exchange, 200, patched);
    }
  }

  private ObjectNode status(int code, String reason, String message) {
    ObjectNode status = json.createObjectNode();
    status.put("apiVersion", "v1").put("kind", "Status").put("status", "Failure");
    status.put("reason", reason).put("message", message).put("code", code);
    return status;
  }

  private void respond(HttpExchange exchange, int code, JsonNode body) throws IOException {
    byte[] bytes = json.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(code, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  private static byte[] readBody(InputStream in) throws IOException {
    byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
    if (body.length > MAX_BODY_BYTES) {
      throw new IllegalArgumentException("request body over " + MAX_BODY_BYTES + " bytes");
    }
    return body;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
