package io.kubeaccel.core.kube;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An RFC 6902 JSON patch. Used instead of a JSON merge patch because a merge patch cannot remove a key safely
 * (fabric8's mock server stores {@code "null"}) and cannot be made conditional; a {@code test} operation makes the
 * whole patch fail (HTTP 422) when the object is not the one the patch was computed for.
 */
final class JsonPatch {

  private final List<Map<String, Object>> operations = new ArrayList<>();

  /** True when the patch would change nothing: it holds no operation besides guards. */
  boolean changesNothing() {
    return operations.stream().allMatch(op -> "test".equals(op.get("op")));
  }

  JsonPatch test(String path, Object value) {
    return operation("test", path, value);
  }

  /**
   * Makes the string map at {@code mapPath} (currently {@code current}, null when absent) hold {@code wanted} and
   * lack {@code removed}, touching no other key. When the map is absent or empty (fabric8's model cannot tell the
   * two apart, and adding a key below an absent map fails) it is written whole, guarded by {@code resourceVersion} so
   * that keys added meanwhile by someone else are not overwritten.
   */
  JsonPatch updateMap(
      String mapPath,
      Map<String, String> current,
      Map<String, String> wanted,
      Set<String> removed,
      String resourceVersion) {
    if (current == null || current.isEmpty()) {
      if (!wanted.isEmpty()) {
        test("/metadata/resourceVersion", resourceVersion);
        operation("add", mapPath, new TreeMap<>(wanted));
      }
      return this;
    }
    new TreeMap<>(wanted).forEach((key, value) -> {
      if (!value.equals(current.get(key))) {
        operation("add", mapPath + "/" + escape(key), value);
      }
    });
    removed.stream()
        .sorted()
        .filter(current::containsKey)
        .forEach(key -> operation("remove", mapPath + "/" + escape(key), null));
    return this;
  }

  String toJson(KubernetesSerialization serialization) {
    return serialization.asJson(operations);
  }

  /** RFC 6901: label keys such as {@code nvidia.com/gpu.product} contain '/', which must be written as "~1". */
  static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  private JsonPatch operation(String op, String path, Object value) {
    Map<String, Object> operation = new LinkedHashMap<>();
    operation.put("op", op);
    operation.put("path", path);
    if (!"remove".equals(op)) {
      operation.put("value", value);
    }
    operations.add(operation);
    return this;
  }
}
