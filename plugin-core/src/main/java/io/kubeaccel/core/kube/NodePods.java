package io.kubeaccel.core.kube;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The pods bound to this node ({@code spec.nodeName}), served from an informer cache: no read makes an API call, so
 * the kubelet's request path can use it freely. The cache is empty until the first list from the API server
 * succeeds; the informer keeps retrying while the API server is unreachable.
 */
public interface NodePods {

  /** The pods bound to this node, in any phase, sorted by namespace and name; empty until the first sync. */
  List<Pod> pods();

  /** The pod of this node with {@code uid}, if the cache holds it. */
  Optional<Pod> byUid(String uid);

  /** True once the cache has been filled from the API server at least once. */
  boolean hasSynced();

  /**
   * Waits up to {@code timeout} for the first sync.
   *
   * @return true if synced, false on timeout or interruption (the interrupt flag is kept)
   */
  boolean awaitSynced(Duration timeout);

  /**
   * Calls {@code listener} for every pod of this node that is added or updated after this call (the initial list
   * counts as additions; a periodic resync re-delivers unchanged pods). Listeners run on the informer's thread, one
   * event at a time: they must not block. An exception thrown by a listener is logged and does not stop others.
   *
   * @return closing it removes the listener
   */
  AutoCloseable onChange(Consumer<Pod> listener);

  /**
   * Calls {@code listener} once per pod of this node when it is deleted or reaches phase {@code Succeeded} or
   * {@code Failed}, whichever comes first, for events after this call. Same threading as {@link #onChange}.
   *
   * @return closing it removes the listener
   */
  AutoCloseable onGone(Consumer<Pod> listener);
}
