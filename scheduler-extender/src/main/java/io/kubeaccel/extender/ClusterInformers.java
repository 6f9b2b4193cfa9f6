package io.kubeaccel.extender;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Informers on every Node and every Pod of the cluster, feeding the {@link ClusterState}; with {@link SlimItemStore}
 * stores, so the process holds the extender's compact view, not the objects. They keep retrying while the API server
 * is away.
 */
final class ClusterInformers implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ClusterInformers.class);

  private final SharedIndexInformer<Node> nodes;
  private final SharedIndexInformer<Pod> pods;
  private final CompletableFuture<Void> synced;

  private ClusterInformers(
      SharedIndexInformer<Node> nodes,
      SharedIndexInformer<Pod> pods,
      CompletableFuture<Void> synced) {
    this.nodes = nodes;
    this.pods = pods;
    this.synced = synced;
  }

  static ClusterInformers start(KubernetesClient client, ClusterState state) {
    SharedIndexInformer<Node> nodes = client.nodes().runnableInformer(0);
    nodes.itemStore(
        new SlimItemStore<>(meta -> new NodeBuilder().withMetadata(meta).build()));
    nodes.addEventHandler(new Handler<>(
        state::nodeChanged, node -> state.nodeGone(node.getMetadata().getName())));
    nodes.exceptionHandler(retrying("node"));
    SharedIndexInformer<Pod> pods = client.pods().inAnyNamespace().runnableInformer(0);
    pods.itemStore(
        new SlimItemStore<>(meta -> new PodBuilder().withMetadata(meta).build()));
    pods.addEventHandler(
        new Handler<>(state::podChanged, pod -> state.podGone(pod.getMetadata().getUid())));
    pods.exceptionHandler(retrying("pod"));
    CompletableFuture<Void> synced = CompletableFuture.allOf(
        nodes.start().toCompletableFuture(), pods.start().toCompletableFuture());
    synced.whenComplete((ignored, failure) -> {
      if (failure == null) {
        log.info(
            "caches synced nodes={} gpuNodes={} trackedPods={}",
            nodes.getStore().list().size(),
            state.nodesWithCards(),
            state.claimCount());
      }
    });
    return new ClusterInformers(nodes, pods, synced);
  }

  boolean hasSynced() {
    return synced.isDone() && !synced.isCompletedExceptionally();
  }

  boolean awaitSynced(Duration timeout) {
    try {
      synced.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException | ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    nodes.close();
    pods.close();
  }

  /** Always retry; say so once per outage (fabric8 itself logs every retry). */
  private static io.fabric8.kubernetes.client.informers.ExceptionHandler retrying(String what) {
    AtomicBoolean failing = new AtomicBoolean();
    return (wasStarted, failure) -> {
      if (failing.compareAndSet(false, true)) {
        log.warn("{} informer lost the API server, retrying error={}", what, failure.toString());
      }
      return true;
    };
  }

  /** Passes real changes on; a resync (the same object twice) carries nothing new. */
  private static final class Handler<T extends HasMetadata> implements ResourceEventHandler<T> {
    private final Consumer<T> changed;
    private final Consumer<T> gone;

    Handler(Consumer<T> changed, Consumer<T> gone) {
      this.changed = changed;
      this.gone = gone;
    }

    @Override
    public void onAdd(T object) {
      changed.accept(object);
    }

    @Override
    public void onUpdate(T oldObject, T newObject) {
      if (oldObject != newObject) {
        changed.accept(newObject);
      }
    }

    @Override
    public void onDelete(T object, boolean finalStateUnknown) {
      gone.accept(object);
    }
  }
}
