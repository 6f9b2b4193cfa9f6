package io.kubeaccel.core.kube;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Lets several parts of an agent (node labels, the capacity annotation) publish node metadata through one {@link
 * NodeMetadataPublisher}, which holds a single desired state: each part gets a publisher of its own, and every
 * publish sends the union of all parts' latest states, so one part never drops another's keys.
 */
public final class NodeMetadataParts {

  private record State(
      Set<String> owned, Map<String, String> labels, Map<String, String> annotations) {}

  private final NodeMetadataPublisher target;
  private final Map<String, State> parts = new LinkedHashMap<>();

  public NodeMetadataParts(NodeMetadataPublisher target) {
    this.target = target;
  }

  /** The publisher of part {@code name}; its keys must not overlap another part's. */
  public NodeMetadataPublisher part(String name) {
    return new NodeMetadataPublisher() {
      @Override
      public void publish(
          Set<String> ownedKeys, Map<String, String> labels, Map<String, String> annotations) {
        publishPart(
            name, new State(Set.copyOf(ownedKeys), Map.copyOf(labels), Map.copyOf(annotations)));
      }

      @Override
      public CompletableFuture<Void> published() {
        return target.published();
      }
    };
  }

  private synchronized void publishPart(String name, State state) {
    for (Map.Entry<String, State> other : parts.entrySet()) {
      if (!other.getKey().equals(name)) {
        Set<String> shared = new HashSet<>(other.getValue().owned());
        shared.retainAll(state.owned());
        if (!shared.isEmpty()) {
          throw new IllegalArgumentException(
              "keys " + shared + " of part " + name + " belong to part " + other.getKey());
        }
      }
    }
    parts.put(name, state);
    Set<String> owned = new HashSet<>();
    Map<String, String> labels = new HashMap<>();
    Map<String, String> annotations = new HashMap<>();
    for (State part : parts.values()) {
      owned.addAll(part.owned());
      labels.putAll(part.labels());
      annotations.putAll(part.annotations());
    }
    target.publish(owned, labels, annotations);
  }
}
