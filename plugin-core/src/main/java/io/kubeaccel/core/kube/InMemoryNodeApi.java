package io.kubeaccel.core.kube;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The Kubernetes API of one node, held in memory: pods, their annotations, the node's own labels and annotations, and
 * its Events. What {@code simulate} runs share modes against when there is no cluster, and what mode tests drive
 * without a server. Applies everything at once; thread-safe.
 */
public final class InMemoryNodeApi
    implements NodePods, PodAnnotator, NodeMetadataPublisher, NodeEvents {

  /** An Event as recorded. */
  public record Event(String type, String reason, String message) {}

  private final Map<String, Pod> pods = new LinkedHashMap<>();
  private final List<Consumer<Pod>> changeListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<Pod>> goneListeners = new CopyOnWriteArrayList<>();
  private final Map<String, String> labels = new LinkedHashMap<>();
  private final Map<String, String> annotations = new LinkedHashMap<>();
  private final List<Event> events = new CopyOnWriteArrayList<>();

  /** Adds or replaces a pod (by UID) and tells the change listeners. */
  public void put(Pod pod) {
    synchronized (this) {
      pods.put(pod.getMetadata().getUid(), pod);
    }
    changeListeners.forEach(listener -> listener.accept(pod));
  }

  /** Deletes a pod and tells the gone listeners. */
  public void delete(String uid) {
    Pod gone;
    synchronized (this) {
      gone = pods.remove(uid);
    }
    if (gone != null) {
      goneListeners.forEach(listener -> listener.accept(gone));
    }
  }

  @Override
  public synchronized List<Pod> pods() {
    return List.copyOf(pods.values());
  }

  @Override
  public synchronized Optional<Pod> byUid(String uid) {
    return Optional.ofNullable(pods.get(uid));
  }

  @Override
  public boolean hasSynced() {
    return true;
  }

  @Override
  public boolean awaitSynced(Duration timeout) {
    return true;
  }

  @Override
  public AutoCloseable onChange(Consumer<Pod> listener) {
    changeListeners.add(listener);
    return () -> changeListeners.remove(listener);
  }

  @Override
  public AutoCloseable onGone(Consumer<Pod> listener) {
    goneListeners.add(listener);
    return () -> goneListeners.remove(listener);
  }

  @Override
  public CompletableFuture<Void> annotate(PodRef ref, Map<String, String> added) {
    Pod updated;
    synchronized (this) {
      Pod pod = pods.get(ref.uid());
      if (pod == null) {
        return CompletableFuture.failedFuture(new PodGoneException(ref, "pod " + ref + " is gone"));
      }
      updated = new PodBuilder(pod)
          .editMetadata()
          .addToAnnotations(added)
          .endMetadata()
          .build();
      pods.put(ref.uid(), updated);
    }
    changeListeners.forEach(listener -> listener.accept(updated));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized void publish(
      Set<String> ownedKeys, Map<String, String> newLabels, Map<String, String> newAnnotations) {
    Set<String> unowned = new HashSet<>(newLabels.keySet());
    unowned.addAll(newAnnotations.keySet());
    unowned.removeAll(ownedKeys);
    if (!unowned.isEmpty()) {
      throw new IllegalArgumentException("keys not owned: " + unowned);
    }
    labels.keySet().removeIf(ownedKeys::contains);
    annotations.keySet().removeIf(ownedKeys::contains);
    labels.putAll(newLabels);
    annotations.putAll(newAnnotations);
  }

  @Override
  public CompletableFuture<Void> published() {
    return CompletableFuture.completedFuture(null);
  }

  /** The node's labels as published. */
  public synchronized Map<String, String> nodeLabels() {
    return Map.copyOf(labels);
  }

  /** The node's annotations as published. */
  public synchronized Map<String, String> nodeAnnotations() {
    return Map.copyOf(annotations);
  }

  @Override
  public void normal(String reason, String message) {
    events.add(new Event("Normal", reason, message));
  }

  @Override
  public void warning(String reason, String message) {
    events.add(new Event("Warning", reason, message));
  }

  /** Every Event raised, in order. */
  public List<Event> events() {
    return new ArrayList<>(events);
  }
}
