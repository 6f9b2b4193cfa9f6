package io.kubeaccel.core.kube;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PodAnnotator} on one worker thread. Each attempt reads the pod, checks its UID, and sends a JSON patch whose
 * first operation tests {@code /metadata/uid}, so the server itself refuses to annotate a re-created pod.
 */
final class RetryingPodAnnotator implements PodAnnotator, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RetryingPodAnnotator.class);

  private final KubernetesClient client;
  private final ScheduledExecutorService worker = KubeThreads.singleWorker("annotator");
  /** The last requested annotation of each pod (by UID): the next request for that pod waits for it. */
  private final Map<String, CompletableFuture<Void>> lastRequestByPod = new HashMap<>();

  private final Set<CompletableFuture<Void>> unfinished = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  RetryingPodAnnotator(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public CompletableFuture<Void> annotate(PodRef pod, Map<String, String> annotations) {
    Objects.requireNonNull(pod, "pod");
    Request request = new Request(pod, Map.copyOf(annotations), new CompletableFuture<>());
    CompletableFuture<Void> result = request.result;
    unfinished.add(result);
    CompletableFuture<Void> previous;
    synchronized (lastRequestByPod) {
      previous = lastRequestByPod.put(pod.uid(), result);
    }
    result.whenComplete((ignored, failure) -> {
      unfinished.remove(result);
      synchronized (lastRequestByPod) {
        lastRequestByPod.remove(pod.uid(), result);
      }
    });
    if (closed) {
      result.completeExceptionally(new CancellationException("kube access closed"));
    } else if (previous == null) {
      request.schedule(Duration.ZERO);
    } else {
      previous.whenComplete((ignored, failure) -> request.schedule(Duration.ZERO));
    }
    return result;
  }

  @Override
  public void close() {
    closed = true;
    worker.shutdownNow();
    for (CompletableFuture<Void> result : unfinished) {
      result.completeExceptionally(new CancellationException("kube access closed"));
    }
  }

  /** One annotate call and its attempts. */
  private final class Request implements Runnable {
    private final PodRef pod;
    private final Map<String, String> annotations;
    private final CompletableFuture<Void> result;
    private int failures;

    Request(PodRef pod, Map<String, String> annotations, CompletableFuture<Void> result) {
      this.pod = pod;
      this.annotations = annotations;
      this.result = result;
    }

    void schedule(Duration delay) {
      if (result.isDone()) {
        return;
      }
      try {
        worker.schedule(this, delay.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        result.completeExceptionally(new CancellationException("kube access closed"));
      }
    }

    @Override
    public void run() {
      if (result.isDone()) {
        return; // cancelled by the caller or closed
      }
      try {
        boolean wrote = writeOnce();
        if (failures > 0) {
          log.info(
              "pod annotated after retries pod={} keys={} attempts={}",
              pod,
              annotations.keySet(),
              failures + 1);
        } else {
          log.debug("pod annotated pod={} keys={} changed={}", pod, annotations.keySet(), wrote);
        }
        result.complete(null);
      } catch (PodGoneException e) {
        giveUp(e);
      } catch (RuntimeException e) {
        if (ApiErrors.httpCode(e) == ApiErrors.NOT_FOUND) {
          giveUp(new PodGoneException(pod, "not found"));
          return;
        }
        failures++;
        Duration delay = Backoff.afterFailures(failures);
        if (failures == 1) {
          log.warn(
              "pod annotation failed, retrying with backoff pod={} keys={} retryInMs={} error={}",
              pod,
              annotations.keySet(),
              delay.toMillis(),
              ApiErrors.describe(e));
        } else {
          log.debug(
              "pod annotation failed again pod={} attempt={} retryInMs={} error={}",
              pod,
              failures,
              delay.toMillis(),
              ApiErrors.describe(e));
        }
        schedule(delay);
      }
    }

    private void giveUp(PodGoneException gone) {
      log.warn(
          "pod annotation abandoned pod={} keys={} reason={}",
          pod,
          annotations.keySet(),
          gone.getMessage());
      result.completeExceptionally(gone);
    }

    /** One read and (when something is missing) one guarded patch; true if a patch was sent. */
    private boolean writeOnce() {
      PodResource resource = client.pods().inNamespace(pod.namespace()).withName(pod.name());
      Pod current = resource.get();
      if (current == null) {
        throw new PodGoneException(pod, "not found");
      }
      String uid = current.getMetadata().getUid();
      if (!pod.uid().equals(uid)) {
        throw new PodGoneException(pod, "name now belongs to a re-created pod uid=" + uid);
      }
      JsonPatch patch = new JsonPatch()
          .test("/metadata/uid", pod.uid())
          .updateMap(
              "/metadata/annotations",
              current.getMetadata().getAnnotations(),
              annotations,
              Set.of(),
              current.getMetadata().getResourceVersion());
      if (patch.changesNothing()) {
        return false;
      }
      resource.patch(
          PatchContext.of(PatchType.JSON), patch.toJson(client.getKubernetesSerialization()));
      return true;
    }
  }
}
