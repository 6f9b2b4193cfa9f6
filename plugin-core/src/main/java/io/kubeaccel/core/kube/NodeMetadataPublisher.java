package io.kubeaccel.core.kube;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The labels and annotations this agent owns on its Node. {@link #publish} records the desired state and returns at
 * once; a single worker writes it: the first write goes out immediately, later ones at most once per {@link
 * KubeSettings#minPublishInterval()} (a burst of publishes becomes one write of the latest state), and failed writes
 * are retried with exponential backoff (100 ms doubling to 30 s) for as long as the API server fails, the Node is
 * missing, or until {@link KubeAccess#close()}.
 */
public interface NodeMetadataPublisher {

  /**
   * Makes {@code labels} and {@code annotations} the desired state of the owned keys. Keys outside {@code ownedKeys}
   * are never touched; an owned key absent from the desired maps is removed from the Node (really removed, not set
   * to {@code "null"}). {@code ownedKeys} applies to labels and annotations alike; keys owned by an earlier call but
   * not by this one are left as they are.
   *
   * @throws IllegalArgumentException if a label or annotation key is not in {@code ownedKeys}
   * @throws NullPointerException if a key or value is null
   */
  void publish(Set<String> ownedKeys, Map<String, String> labels, Map<String, String> annotations);

  /**
   * Completes when the state desired at the time of this call (or a later one) has been written to the Node;
   * already complete when nothing is pending. Completes exceptionally with {@link
   * java.util.concurrent.CancellationException} if closed first.
   */
  CompletableFuture<Void> published();
}
