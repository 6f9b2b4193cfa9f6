package io.kubeaccel.pgpu.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Typed reads of a composed YAML tree; every error names the file, the line and the key path. */
final class YamlReader {

  private final Path file;

  YamlReader(Path file) {
    this.file = file;
  }

  ConfigException error(Node node, String path, String message) {
    int line = node.getStartMark().getLine() + 1;
    return new ConfigException(file + ":" + line + ": " + path + ": " + message);
  }

  /** The entries of a mapping, refusing keys outside {@code allowed} and repeated keys. */
  Map<String, Node> mapping(Node node, String path, Set<String> allowed) {
    if (!(node instanceof MappingNode mapping)) {
      throw error(node, path, "expected a mapping of " + String.join(", ", sorted(allowed)));
    }
    Map<String, Node> entries = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      String key = keyNode instanceof ScalarNode scalar ? scalar.getValue() : null;
      String keyPath = path.isEmpty() ? String.valueOf(key) : path + "." + key;
      if (key == null || !allowed.contains(key)) {
        throw error(
            keyNode, keyPath, "unknown key; allowed here: " + String.join(", ", sorted(allowed)));
      }
      if (entries.put(key, tuple.getValueNode()) != null) {
        throw error(keyNode, keyPath, "given twice");
      }
    }
    return entries;
  }

  String string(Node node, String path) {
    if (!(node instanceof ScalarNode scalar)) {
      throw error(node, path, "expected a single value");
    }
    return scalar.getValue();
  }

  boolean bool(Node node, String path) {
    String value = string(node, path);
    return switch (value) {
      case "true", "True", "TRUE" -> true;
      case "false", "False", "FALSE" -> false;
      default -> throw error(node, path, "expected true or false, got \"" + value + "\"");
    };
  }

  int integer(Node node, String path) {
    String value = string(node, path);
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw error(node, path, "expected a whole number, got \"" + value + "\"");
    }
  }

  <E extends Enum<E> & WireEnum> E enumValue(Node node, String path, Class<E> type) {
    String value = string(node, path);
    try {
      return WireEnum.parse(type, value);
    } catch (IllegalArgumentException e) {
      throw error(node, path, e.getMessage());
    }
  }

  /** A list; a single scalar counts as a list of one (NVIDIA's config accepts both for list strategies). */
  List<Node> list(Node node, String path) {
    if (node instanceof SequenceNode sequence) {
      return sequence.getValue();
    }
    if (node instanceof ScalarNode) {
      return List.of(node);
    }
    throw error(node, path, "expected a list");
  }

  private static List<String> sorted(Set<String> keys) {
    List<String> list = new ArrayList<>(keys);
    list.sort(null);
    return list;
  }
}
