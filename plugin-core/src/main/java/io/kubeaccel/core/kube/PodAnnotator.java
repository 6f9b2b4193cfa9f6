package io.kubeaccel.core.kube;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Adds annotations to pods without blocking the caller. */
public interface PodAnnotator {

  /**
   * Merges {@code annotations} into the pod's annotations (other annotations are kept), asynchronously. The write is
   * retried with exponential backoff (100 ms doubling to 30 s) until it succeeds, the pod is gone, the future is
   * cancelled, or {@link KubeAccess#close()}. The write is guarded by the pod's UID, so a pod deleted and re-created
   * under the same name is never annotated. Calls for one pod are applied in call order.
   *
   * @return completes normally once the pod carries the annotations; exceptionally with {@link PodGoneException}
   *     when the pod was deleted or re-created (different UID), with {@link java.util.concurrent.CancellationException}
   *     on close
   * @throws NullPointerException if a key or value is null
   */
  CompletableFuture<Void> annotate(PodRef pod, Map<String, String> annotations);
}
