package io.kubeaccel.extender;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The scheduler extender wire format (kube-scheduler's {@code extender/v1} types): Go field names without JSON tags,
 * so {@code Pod}, {@code Nodes}, {@code NodeNames}, {@code FailedNodes}, {@code Host}, {@code Score}, ... are written
 * exactly so and read without regard to case, as Go's decoder does. The Pod and Node objects inside are ordinary
 * Kubernetes JSON.
 */
final class WireFormat {

  private final JsonMapper json = JsonMapper.builder().build();
  private final KubernetesSerialization kubernetes;

  WireFormat(KubernetesSerialization kubernetes) {
    this.kubernetes = kubernetes;
  }

  /**
   * Reads {@code ExtenderArgs}.
   *
   * @throws MalformedRequestException saying what is wrong
   */
  ExtenderArgs readArgs(byte[] body) {
    JsonNode root = object(body, "ExtenderArgs");
    JsonNode podNode = field(root, "Pod");
    if (podNode == null || podNode.isNull()) {
      throw new MalformedRequestException("ExtenderArgs.Pod is missing");
    }
    if (!podNode.isObject()) {
      throw new MalformedRequestException("ExtenderArgs.Pod must be an object");
    }
    Pod pod;
    try {
      pod = kubernetes.convertValue(podNode, Pod.class);
    } catch (RuntimeException e) {
      throw new MalformedRequestException("ExtenderArgs.Pod is not a Pod: " + firstLine(e));
    }
    if (pod.getMetadata() == null
        || blank(pod.getMetadata().getName())
        || blank(pod.getMetadata().getUid())) {
      throw new MalformedRequestException("ExtenderArgs.Pod needs metadata.name and metadata.uid");
    }
    if (blank(pod.getMetadata().getNamespace())) {
      pod.getMetadata().setNamespace("default");
    }
    JsonNode nodes = field(root, "Nodes");
    JsonNode names = field(root, "NodeNames");
    if (nodes != null && !nodes.isNull()) {
      return withNodes(pod, nodes);
    }
    if (names != null && !names.isNull()) {
      if (!names.isArray()) {
        throw new MalformedRequestException("ExtenderArgs.NodeNames must be an array of strings");
      }
      List<String> nodeNames = new ArrayList<>();
      for (JsonNode name : names) {
        if (!name.isString() || name.asString().isEmpty()) {
          throw new MalformedRequestException(
              "ExtenderArgs.NodeNames must be an array of non-empty strings");
        }
        nodeNames.add(name.asString());
      }
      return new ExtenderArgs(pod, nodeNames, null, null);
    }
    throw new MalformedRequestException(
        "ExtenderArgs carries neither Nodes (nodeCacheCapable: false) nor NodeNames"
            + " (nodeCacheCapable: true)");
  }

  private ExtenderArgs withNodes(Pod pod, JsonNode nodes) {
    if (!nodes.isObject()) {
      throw new MalformedRequestException("ExtenderArgs.Nodes must be a NodeList object");
    }
    JsonNode items = nodes.get("items");
    List<String> nodeNames = new ArrayList<>();
    List<JsonNode> nodeItems = new ArrayList<>();
    if (items != null && !items.isNull()) {
      if (!items.isArray()) {
        throw new MalformedRequestException("ExtenderArgs.Nodes.items must be an array");
      }
      for (int i = 0; i < items.size(); i++) {
        JsonNode item = items.get(i);
        JsonNode name = item.isObject() && item.get("metadata") != null
            ? item.get("metadata").get("name")
            : null;
        if (name == null || !name.isString() || name.asString().isEmpty()) {
          throw new MalformedRequestException(
              "ExtenderArgs.Nodes.items[" + i + "] has no metadata.name");
        }
        nodeNames.add(name.asString());
        nodeItems.add(item);
      }
    }
    ObjectNode list = ((ObjectNode) nodes).deepCopy();
    list.remove("items");
    return new ExtenderArgs(pod, nodeNames, nodeItems, list);
  }

  /**
   * Reads {@code ExtenderBindingArgs}.
   *
   * @throws MalformedRequestException saying which field is missing
   */
  BindingArgs readBinding(byte[] body) {
    JsonNode root = object(body, "ExtenderBindingArgs");
    return new BindingArgs(
        text(root, "PodName"),
        text(root, "PodNamespace"),
        text(root, "PodUID"),
        text(root, "Node"));
  }

  /** {@code ExtenderFilterResult}: {@code Nodes} or {@code NodeNames} as the request had them, the other null. */
  byte[] writeFilter(ExtenderArgs args, FilterResult result) {
    ObjectNode out = json.createObjectNode();
    if (args == null || args.byName()) {
      out.putNull("Nodes");
      if (args == null) {
        out.putNull("NodeNames");
      } else {
        ArrayNode names = out.putArray("NodeNames");
        result.passing().forEach(names::add);
      }
    } else {
      ObjectNode list = args.nodeList().deepCopy();
      ArrayNode items = list.putArray("items");
      Map<String, JsonNode> byName = new HashMap<>();
      for (int i = 0; i < args.nodeNames().size(); i++) {
        byName.putIfAbsent(args.nodeNames().get(i), args.nodeItems().get(i));
      }
      result.passing().forEach(name -> items.add(byName.get(name)));
      out.set("Nodes", list);
      out.putNull("NodeNames");
    }
    ObjectNode failed = out.putObject("FailedNodes");
    result.failed().forEach(failed::put);
    ObjectNode unresolvable = out.putObject("FailedAndUnresolvableNodes");
    result.unresolvable().forEach(unresolvable::put);
    out.put("Error", result.error());
    return json.writeValueAsBytes(out);
  }

  /** {@code HostPriorityList}. */
  byte[] writePriorities(List<HostPriority> priorities) {
    ArrayNode out = json.createArrayNode();
    for (HostPriority priority : priorities) {
      out.addObject().put("Host", priority.host()).put("Score", priority.score());
    }
    return json.writeValueAsBytes(out);
  }

  /** {@code ExtenderBindingResult}, or any error body: {@code {"Error": "..."}}. */
  byte[] writeError(String error) {
    ObjectNode out = json.createObjectNode();
    out.put("Error", error == null ? "" : error);
    return json.writeValueAsBytes(out);
  }

  private JsonNode object(byte[] body, String type) {
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (JacksonException e) {
      TokenStreamLocation at = e.getLocation();
      throw new MalformedRequestException("malformed JSON"
          + (at == null ? "" : " at line " + at.getLineNr() + " column " + at.getColumnNr())
          + ": " + e.getOriginalMessage());
    }
    if (root == null || root.isMissingNode() || !root.isObject()) {
      throw new MalformedRequestException("expected a JSON object (" + type + ")");
    }
    return root;
  }

  private static String text(JsonNode root, String name) {
    JsonNode value = field(root, name);
    if (value == null || !value.isString() || value.asString().isEmpty()) {
      throw new MalformedRequestException(
          "ExtenderBindingArgs." + name + " is missing or not a string");
    }
    return value.asString();
  }

  /** The member {@code name}, matched exactly first, then without regard to case (as Go's decoder does). */
  private static JsonNode field(JsonNode object, String name) {
    JsonNode exact = object.get(name);
    if (exact != null) {
      return exact;
    }
    for (Map.Entry<String, JsonNode> member : object.properties()) {
      if (member.getKey().equalsIgnoreCase(name)) {
        return member.getValue();
      }
    }
    return null;
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }

  private static String firstLine(Throwable e) {
    String message = e instanceof JacksonException j ? j.getOriginalMessage() : e.getMessage();
    if (message == null) {
      return e.getClass().getSimpleName();
    }
    int newline = message.indexOf('\n');
    String line = newline < 0 ? message : message.substring(0, newline);
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }
}
