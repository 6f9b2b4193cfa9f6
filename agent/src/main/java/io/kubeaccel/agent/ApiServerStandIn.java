package io.kubeaccel.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
  private final List<String> unserved = new CopyOnWriteArrayList<>();
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

  /** A request refused with an API server's status code and reason; nothing was changed. */
  private static final class Refused extends RuntimeException {
    final int code;
    final String reason;

    Refused(int code, String reason, String message) {
      super(message, null, false, false);
      this.code = code;
      this.reason = reason;
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      try {
        route(exchange);
      } catch (Refused e) {
        respond(exchange, e.code, status(e.code, e.reason, e.getMessage()));
      } catch (JacksonException e) {
        respond(
            exchange, 400, status(400, "BadRequest", "malformed JSON: " + e.getOriginalMessage()));
      } catch (RuntimeException e) {
        respond(exchange, 500, status(500, "InternalError", e.toString()));
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
      respond(exchange, 200, patchNode(body, type));
    } else if (path.equals(eventsPath) && method.equals("POST")) {
      respond(exchange, 201, createEvent(body));
    } else if (event != null && method.equals("GET")) {
      respond(exchange, 200, event(event));
    } else if (event != null && method.equals("PATCH")) {
      respond(exchange, 200, patchEvent(event, body, type));
    } else {
      unserved.add(method + " " + exchange.getRequestURI());
      respond(exchange, 404, status(404, "NotFound", method + " " + path + " is not served"));
    }
  }

  private synchronized JsonNode event(String name) {
    ObjectNode event = events.get(name);
    if (event == null) {
      throw new Refused(404, "NotFound", "events \"" + name + "\" not found");
    }
    return event.deepCopy();
  }

  private synchronized JsonNode snapshotNode() {
    return node.deepCopy();
  }

  /** Applies a JSON patch or a merge patch to a copy of the Node, which replaces it only if all of it applies. */
  private synchronized JsonNode patchNode(byte[] body, String type) {
    JsonNode patch = json.readTree(body);
    ObjectNode patched = node.deepCopy();
    if (isJsonPatch(type)) {
      if (!patch.isArray() || patch.isEmpty()) {
        throw new Refused(422, "Invalid", "a JSON patch is a non-empty array of operations");
      }
      for (JsonNode operation : patch) {
        applyOperation(patched, operation);
      }
    } else {
      mergeInto(patched, mergePatch(patch, type));
    }
    JsonNode metadata = patched.path("metadata");
    if (!metadata.isObject() || !nodeName.equals(metadata.path("name").asString(""))) {
      throw new Refused(
          422, "Invalid", "the patch would leave the Node without its metadata or name");
    }
    ((ObjectNode) metadata)
        .put("resourceVersion", Integer.toString(resourceVersion.incrementAndGet()));
    node.removeAll();
    node.setAll(patched);
    nodePatches.incrementAndGet();
    return node.deepCopy();
  }

  private static boolean isJsonPatch(String type) {
    return type != null && type.startsWith("application/json-patch+json");
  }

  /** A merge patch (RFC 7386, or a strategic merge patch treated as one) must be a JSON object. */
  private static JsonNode mergePatch(JsonNode patch, String type) {
    if (type == null
        || !(type.startsWith("application/merge-patch+json")
            || type.startsWith("application/strategic-merge-patch+json"))) {
      throw new Refused(415, "UnsupportedMediaType", "unsupported patch type " + type);
    }
    if (!patch.isObject() || patch.isEmpty()) {
      throw new Refused(422, "Invalid", "a merge patch is a non-empty JSON object");
    }
    return patch;
  }

  /** One RFC 6902 operation on an object member of {@code target}; a {@code test} that does not hold is refused. */
  private static void applyOperation(ObjectNode target, JsonNode operation) {
    String op = operation.path("op").asString("");
    if (!List.of("test", "add", "replace", "remove").contains(op)) {
      throw new Refused(422, "Invalid", "unsupported JSON patch operation " + op);
    }
    String where = operation.path("path").asString("");
    List<String> path = pointer(where);
    ObjectNode parent = target;
    for (String step : path.subList(0, path.size() - 1)) {
      JsonNode next = parent.get(step);
      if (next == null || !next.isObject()) {
        throw new Refused(422, "Invalid", "no object at " + where);
      }
      parent = (ObjectNode) next;
    }
    String last = path.get(path.size() - 1);
    JsonNode value = operation.get("value");
    if (value == null && !op.equals("remove")) {
      throw new Refused(422, "Invalid", "operation " + op + " at " + where + " has no value");
    }
    switch (op) {
      case "test" -> {
        if (!value.equals(parent.get(last))) {
          throw new Refused(422, "Invalid", "test failed at " + where);
        }
      }
      case "add", "replace" -> parent.set(last, value);
      case "remove" -> {
        if (parent.remove(last) == null) {
          throw new Refused(422, "Invalid", "nothing to remove at " + where);
        }
      }
      default -> throw new Refused(422, "Invalid", "unsupported JSON patch operation " + op);
    }
  }

  private static List<String> pointer(String path) {
    if (!path.startsWith("/") || path.length() < 2) {
      throw new Refused(
          422, "Invalid", "JSON pointer must start with / and name a member: " + path);
    }
    return Arrays.stream(path.substring(1).split("/", -1))
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
    JsonNode parsed = json.readTree(body);
    if (!parsed.isObject() || !parsed.path("metadata").isObject()) {
      throw new Refused(422, "Invalid", "an Event is a JSON object with metadata");
    }
    ObjectNode event = (ObjectNode) parsed;
    ObjectNode metadata = (ObjectNode) event.get("metadata");
    String name = metadata.path("name").asString("");
    if (name.isEmpty()) {
      throw new Refused(422, "Invalid", "metadata.name is required");
    }
    if (events.containsKey(name)) {
      throw new Refused(409, "AlreadyExists", "events \"" + name + "\" already exists");
    }
    metadata
        .put("uid", "event-uid-" + events.size())
        .put("resourceVersion", Integer.toString(resourceVersion.incrementAndGet()));
    events.put(name, event);
    return event.deepCopy();
  }

  private synchronized JsonNode patchEvent(String name, byte[] body, String type) {
    JsonNode patch = mergePatch(json.readTree(body), type);
    ObjectNode event = events.get(name);
    if (event == null) {
      throw new Refused(404, "NotFound", "events \"" + name + "\" not found");
    }
    ObjectNode patched = event.deepCopy();
    mergeInto(patched, patch);
    if (!name.equals(patched.path("metadata").path("name").asString(""))) {
      throw new Refused(422, "Invalid", "the patch would change the Event's metadata.name");
    }
    events.put(name, patched);
    return patched.deepCopy();
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
      throw new Refused(
          413, "RequestEntityTooLarge", "request body over " + MAX_BODY_BYTES + " bytes");
    }
    return body;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
