package io.kubeaccel.core.kube;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link NodeEvents} written by one worker thread, in the {@code default} namespace like the kubelet's own Node
 * Events, with {@code involvedObject.uid} set to the node name as the kubelet does (that is what {@code kubectl
 * describe node} searches for).
 */
final class AggregatingNodeEvents implements NodeEvents, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AggregatingNodeEvents.class);

  /** Repeats within this time of the previous occurrence are counted into one Event. */
  static final Duration AGGREGATION_WINDOW = Duration.ofMinutes(1);

  static final String NAMESPACE = "default";
  static final String COMPONENT = "kubeaccel";
  private static final int QUEUE_CAPACITY = 256;
  private static final int MAX_REMEMBERED = 512;
  private static final int MAX_MESSAGE_CHARS = 1024;

  private final KubernetesClient client;
  private final String nodeName;
  private final Clock clock;
  private final ThreadPoolExecutor worker;
  private final AtomicLong nameSequence = new AtomicLong();
  /** Recently emitted Events by type, reason and message; only touched by the worker thread. */
  private final Map<Key, Emitted> recent = new LinkedHashMap<>(16, 0.75f, true);

  AggregatingNodeEvents(KubernetesClient client, String nodeName, Clock clock) {
    this.client = client;
    this.nodeName = nodeName;
    this.clock = clock;
    this.worker = new ThreadPoolExecutor(
        1,
        1,
        0,
        TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(QUEUE_CAPACITY),
        KubeThreads.named("events"),
        (task, executor) -> log.debug("node event dropped, queue full node={}", nodeName));
  }

  private record Key(String type, String reason, String message) {}

  private record Emitted(String eventName, int count, Instant last) {}

  @Override
  public void normal(String reason, String message) {
    emit("Normal", reason, message);
  }

  @Override
  public void warning(String reason, String message) {
    emit("Warning", reason, message);
  }

  /** Completes once every Event emitted before this call has been handled (written or dropped). */
  CompletableFuture<Void> flush() {
    try {
      return CompletableFuture.runAsync(() -> {}, worker);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(null);
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }

  private void emit(String type, String reason, String message) {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
    String text =
        message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) : message;
    Key key = new Key(type, reason, text);
    Instant at = clock.instant(); // when it happened, not when the worker gets to it
    try {
      worker.execute(() -> write(key, at));
    } catch (RejectedExecutionException e) {
      log.debug("node event dropped, closed node={} reason={}", nodeName, reason);
    }
  }

  private void write(Key key, Instant at) {
    Instant now = at.truncatedTo(ChronoUnit.SECONDS);
    forgetOlderThan(now.minus(AGGREGATION_WINDOW));
    Emitted previous = recent.get(key);
    try {
      if (previous != null) {
        int count = previous.count + 1;
        // Record the count before writing: the patch carries the absolute count,
        // so a lost patch is healed by the next one.
        recent.put(key, new Emitted(previous.eventName, count, now));
        if (patchCount(previous.eventName, count, now)) {
          return;
        }
        recent.remove(key); // the Event expired on the server: start a new one
      }
      String name = create(key, now, at);
      recent.put(key, new Emitted(name, 1, now));
      if (recent.size() > MAX_REMEMBERED) {
        Iterator<Key> eldest = recent.keySet().iterator();
        eldest.next();
        eldest.remove();
      }
    } catch (RuntimeException e) {
      log.debug(
          "node event dropped node={} type={} reason={} error={}",
          nodeName,
          key.type,
          key.reason,
          ApiErrors.describe(e));
    }
  }

  private void forgetOlderThan(Instant cutoff) {
    recent.values().removeIf(emitted -> !emitted.last.isAfter(cutoff));
  }

  private String create(Key key, Instant now, Instant exact) {
    // Named like client-go names Events, <object>.<hex nanoseconds>;
    // the sequence keeps the names of Events of one instant apart.
    long nanos =
        exact.getEpochSecond() * 1_000_000_000L + exact.getNano() + nameSequence.getAndIncrement();
    String name = nodeName + "." + Long.toHexString(nanos);
    Event event = new EventBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NAMESPACE)
        .endMetadata()
        .withNewInvolvedObject()
        .withApiVersion("v1")
        .withKind("Node")
        .withName(nodeName)
        .withUid(nodeName)
        .endInvolvedObject()
        .withType(key.type)
        .withReason(key.reason)
        .withMessage(key.message)
        .withCount(1)
        .withFirstTimestamp(now.toString())
        .withLastTimestamp(now.toString())
        .withNewSource()
        .withComponent(COMPONENT)
        .withHost(nodeName)
        .endSource()
        .build();
    client.v1().events().inNamespace(NAMESPACE).resource(event).create();
    log.debug("node event created node={} type={} reason={}", nodeName, key.type, key.reason);
    return name;
  }

  /** Raises the Event's count; false if the Event no longer exists. */
  private boolean patchCount(String eventName, int count, Instant now) {
    String patch = client
        .getKubernetesSerialization()
        .asJson(Map.of("count", count, "lastTimestamp", now.toString()));
    try {
      client
          .v1()
          .events()
          .inNamespace(NAMESPACE)
          .withName(eventName)
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      return true;
    } catch (RuntimeException e) {
      if (ApiErrors.httpCode(e) == ApiErrors.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }
}
