package io.kubeaccel.core.sharing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The scheduler extender's choice for a pod, as the pod's annotations carry it (GPU-Manager's scheme under the
 * family's prefix): {@code <prefix>predicate-node}, {@code <prefix>predicate-time} (Unix nanoseconds), {@code
 * <prefix>gpu-assigned} ({@code false} until the agent has placed the pod, {@code true} after) and one {@code
 * <prefix>predicate-gpu-idx-<containerIndex>} per asking container with its card indexes, {@code "1"} or {@code
 * "0,1"}.
 *
 * @param node the node chosen, or empty when the annotation is absent (an agent placed the pod on its own)
 * @param timeNanos when it was chosen, 0 when unknown
 * @param assigned whether the agent has placed the pod ({@code gpu-assigned=true})
 * @param cardsByContainer card indexes by container index; containers with a malformed value are left out
 */
public record Assignment(
    String node, long timeNanos, boolean assigned, Map<Integer, List<Integer>> cardsByContainer) {

  public Assignment {
    cardsByContainer = Map.copyOf(cardsByContainer);
  }

  /**
   * The assignment in {@code annotations}, or empty when none of the family's assignment annotations is present.
   */
  public static Optional<Assignment> read(ShareFamily family, Map<String, String> annotations) {
    if (annotations == null || annotations.isEmpty()) {
      return Optional.empty();
    }
    String prefix = family.cardIndexAnnotation(0);
    prefix = prefix.substring(0, prefix.length() - 1);
    Map<Integer, List<Integer>> cards = new TreeMap<>();
    for (Map.Entry<String, String> entry : annotations.entrySet()) {
      if (!entry.getKey().startsWith(prefix)) {
        continue;
      }
      int container;
      try {
        container = Integer.parseInt(entry.getKey().substring(prefix.length()));
      } catch (NumberFormatException e) {
        continue;
      }
      List<Integer> indexes = cardIndexes(entry.getValue());
      if (container >= 0 && !indexes.isEmpty()) {
        cards.put(container, indexes);
      }
    }
    String node = annotations.get(family.nodeAnnotation());
    String assigned = annotations.get(family.assignedAnnotation());
    if (node == null && assigned == null && cards.isEmpty()) {
      return Optional.empty();
    }
    long time;
    try {
      time =
          Long.parseLong(annotations.getOrDefault(family.timeAnnotation(), "0").trim());
    } catch (NumberFormatException e) {
      time = 0;
    }
    return Optional.of(
        new Assignment(node == null ? "" : node, time, "true".equals(assigned), cards));
  }

  /**
   * Card indexes written as {@code "0"} or {@code "0,1"}; empty when the value is blank or not such a list (not the
   * extender's writing: better ignored than trusted).
   */
  public static List<Integer> cardIndexes(String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    List<Integer> indexes = new ArrayList<>();
    for (String part : value.split(",")) {
      try {
        int index = Integer.parseInt(part.trim());
        if (index < 0 || indexes.contains(index)) {
          return List.of();
        }
        indexes.add(index);
      } catch (NumberFormatException e) {
        return List.of();
      }
    }
    return List.copyOf(indexes);
  }

  /** The annotations that record this assignment, keys in a stable order. */
  public Map<String, String> annotations(ShareFamily family) {
    Map<String, String> annotations = new LinkedHashMap<>();
    new TreeMap<>(cardsByContainer)
        .forEach((container, indexes) -> annotations.put(
            family.cardIndexAnnotation(container),
            indexes.stream().map(String::valueOf).collect(Collectors.joining(","))));
    annotations.put(family.nodeAnnotation(), node);
    annotations.put(family.timeAnnotation(), Long.toString(timeNanos));
    annotations.put(family.assignedAnnotation(), Boolean.toString(assigned));
    return annotations;
  }
}
