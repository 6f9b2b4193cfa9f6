package io.kubeaccel.core.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link NodeMetadataPublisher} with one worker thread. Publishing only bumps a generation number; the worker writes
 * the newest desired state, so any number of publishes between two writes cost one write.
 */
final class NodeMetadataWriter implements NodeMetadataPublisher, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NodeMetadataWriter.class);

  private final KubernetesClient client;
  private final String nodeName;
  private final long minIntervalNanos;
  private final ScheduledExecutorService worker = KubeThreads.singleWorker("node-metadata");

  // Guarded by this.
  private Desired desired;
  private long desiredGeneration;
  private long writtenGeneration;
  private boolean writeScheduled;
  private long lastWriteNanos;
  private boolean everWritten;
  private int failures;
  private boolean closed;
  private final List<Waiter> waiters = new ArrayList<>();

  NodeMetadataWriter(KubernetesClient client, String nodeName, Duration minInterval) {
    this.client = client;
    this.nodeName = nodeName;
    this.minIntervalNanos = minInterval.toNanos();
  }

  /** The owned keys' desired values. */
  private record Desired(
      Set<String> ownedKeys, Map<String, String> labels, Map<String, String> annotations) {}

  /** A {@link #published()} caller waiting for a generation to be written. */
  private record Waiter(long generation, CompletableFuture<Void> future) {}

  @Override
  public void publish(
      Set<String> ownedKeys, Map<String, String> labels, Map<String, String> annotations) {
    Desired next = new Desired(Set.copyOf(ownedKeys), Map.copyOf(labels), Map.copyOf(annotations));
    Set<String> unowned = new HashSet<>(next.labels.keySet());
    unowned.addAll(next.annotations.keySet());
    unowned.removeAll(next.ownedKeys);
    if (!unowned.isEmpty()) {
      throw new IllegalArgumentException("keys not in ownedKeys cannot be published: " + unowned);
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      desired = next;
      desiredGeneration++;
      if (!writeScheduled) {
        writeScheduled = true;
        long wait = everWritten ? lastWriteNanos + minIntervalNanos - System.nanoTime() : 0;
        schedule(Math.max(wait, 0));
      }
    }
  }

  @Override
  public synchronized CompletableFuture<Void> published() {
    if (closed) {
      return CompletableFuture.failedFuture(new CancellationException("kube access closed"));
    }
    if (writtenGeneration >= desiredGeneration) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> future = new CompletableFuture<>();
    waiters.add(new Waiter(desiredGeneration, future));
    return future;
  }

  @Override
  public void close() {
    List<Waiter> abandoned;
    synchronized (this) {
      closed = true;
      abandoned = new ArrayList<>(waiters);
      waiters.clear();
    }
    worker.shutdownNow();
    abandoned.forEach(
        w -> w.future.completeExceptionally(new CancellationException("kube access closed")));
  }

  private void schedule(long delayNanos) {
    try {
      worker.schedule(this::writeLatest, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      writeScheduled = false; // closed
    }
  }

  private void writeLatest() {
    Desired target;
    long generation;
    synchronized (this) {
      if (closed) {
        return;
      }
      target = desired;
      generation = desiredGeneration;
    }
    try {
      boolean changed = write(target);
      List<CompletableFuture<Void>> done = new ArrayList<>();
      synchronized (this) {
        lastWriteNanos = System.nanoTime();
        everWritten = true;
        if (failures > 0) {
          log.info(
              "node metadata written after retries node={} attempts={}", nodeName, failures + 1);
        } else {
          log.debug("node metadata written node={} changed={}", nodeName, changed);
        }
        failures = 0;
        writtenGeneration = Math.max(writtenGeneration, generation);
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
          Waiter waiter = it.next();
          if (waiter.generation <= writtenGeneration) {
            done.add(waiter.future);
            it.remove();
          }
        }
        if (desiredGeneration > writtenGeneration) {
          schedule(minIntervalNanos); // what arrived during this write goes out one interval later
        } else {
          writeScheduled = false;
        }
      }
      done.forEach(future -> future.complete(null));
    } catch (RuntimeException e) {
      synchronized (this) {
        failures++;
        Duration delay = Backoff.afterFailures(failures);
        if (failures == 1) {
          log.warn(
              "node metadata write failed, retrying with backoff node={} retryInMs={} error={}",
              nodeName,
              delay.toMillis(),
              ApiErrors.describe(e));
        } else {
          log.debug(
              "node metadata write failed again node={} attempt={} retryInMs={} error={}",
              nodeName,
              failures,
              delay.toMillis(),
              ApiErrors.describe(e));
        }
        schedule(delay.toNanos());
      }
    }
  }

  /** Reads the Node and patches the owned keys that differ; true if a patch was sent. */
  private boolean write(Desired target) {
    Node node = client.nodes().withName(nodeName).get();
    if (node == null) {
      throw new IllegalStateException("node " + nodeName + " not found");
    }
    String resourceVersion = node.getMetadata().getResourceVersion();
    JsonPatch patch = new JsonPatch()
        .updateMap(
            "/metadata/labels",
            node.getMetadata().getLabels(),
            target.labels,
            removed(target.ownedKeys, target.labels),
            resourceVersion)
        .updateMap(
            "/metadata/annotations",
            node.getMetadata().getAnnotations(),
            target.annotations,
            removed(target.ownedKeys, target.annotations),
            resourceVersion);
    if (patch.changesNothing()) {
      return false;
    }
    client
        .nodes()
        .withName(nodeName)
        .patch(PatchContext.of(PatchType.JSON), patch.toJson(client.getKubernetesSerialization()));
    return true;
  }

  private static Set<String> removed(Set<String> owned, Map<String, String> wanted) {
    Set<String> removed = new HashSet<>(owned);
    removed.removeAll(wanted.keySet());
    return removed;
  }
}
