package io.kubeaccel.core.kube;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link NodePods} on a fabric8 shared informer. The informer is narrowed to this node by a server-side field
 * selector when asked, and every pod is filtered on the client side too: that keeps a wrong server answer out of the
 * cache's readers, and makes servers that ignore the selector usable.
 */
final class InformerNodePods implements NodePods, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(InformerNodePods.class);
  private static final String UID_INDEX = "uid";
  private static final Comparator<Pod> BY_NAMESPACE_AND_NAME = Comparator.comparing(
          (Pod pod) -> pod.getMetadata().getNamespace())
      .thenComparing(pod -> pod.getMetadata().getName());

  private final String nodeName;
  private final SharedIndexInformer<Pod> informer;
  private final CountDownLatch synced = new CountDownLatch(1);
  private final List<Consumer<Pod>> changeListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<Pod>> goneListeners = new CopyOnWriteArrayList<>();
  /** UIDs of pods already reported gone while still cached (terminal phase), so deletion does not report again. */
  private final Set<String> reportedGone = ConcurrentHashMap.newKeySet();

  private final AtomicBoolean failing = new AtomicBoolean();

  private InformerNodePods(String nodeName, SharedIndexInformer<Pod> informer) {
    this.nodeName = nodeName;
    this.informer = informer;
  }

  /** Creates the informer and starts it without waiting for the API server. */
  static InformerNodePods start(
      KubernetesClient client, String nodeName, Duration resync, boolean serverSideSelector) {
    Informable<Pod> source = serverSideSelector
        ? client.pods().inAnyNamespace().withField("spec.nodeName", nodeName)
        : client.pods().inAnyNamespace();
    InformerNodePods nodePods =
        new InformerNodePods(nodeName, source.runnableInformer(resync.toMillis()));
    nodePods.informer.addIndexers(Map.of(UID_INDEX, InformerNodePods::uidOf));
    // fabric8's default handler gives up when the very first list fails;
    // an agent started during an API server outage must keep trying.
    nodePods.informer.exceptionHandler(nodePods::retryAfter);
    nodePods.informer.addEventHandler(nodePods.new Dispatcher());
    nodePods.informer.start().whenComplete((ignored, failure) -> {
      if (failure == null) {
        nodePods.synced.countDown();
        nodePods.failing.set(false);
        log.info("pod cache synced node={} pods={}", nodeName, nodePods.pods().size());
      } else {
        log.debug(
            "pod informer ended before its first sync node={} error={}",
            nodeName,
            ApiErrors.describe(failure));
      }
    });
    log.info(
        "pod informer started node={} selector={}",
        nodeName,
        serverSideSelector ? "server-and-client" : "client-only");
    return nodePods;
  }

  /**
   * Always retry. Warns on the first failure before and after the first sync, debug after that: fabric8 itself logs
   * every retry at warn level.
   */
  private boolean retryAfter(boolean wasStarted, Throwable failure) {
    if (failing.compareAndSet(false, true)) {
      log.warn(
          "pod informer lost the API server, retrying node={} synced={} error={}",
          nodeName,
          hasSynced(),
          ApiErrors.describe(failure));
    } else {
      log.debug("pod informer retry node={} error={}", nodeName, ApiErrors.describe(failure));
    }
    return true;
  }

  @Override
  public List<Pod> pods() {
    return informer.getStore().list().stream()
        .filter(this::isOnThisNode)
        .sorted(BY_NAMESPACE_AND_NAME)
        .toList();
  }

  @Override
  public Optional<Pod> byUid(String uid) {
    return informer.getIndexer().byIndex(UID_INDEX, uid).stream()
        .filter(this::isOnThisNode)
        .findFirst();
  }

  @Override
  public boolean hasSynced() {
    return synced.getCount() == 0;
  }

  @Override
  public boolean awaitSynced(Duration timeout) {
    try {
      return synced.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
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
  public void close() {
    informer.close();
  }

  private static List<String> uidOf(Pod pod) {
    return List.of(String.valueOf(pod.getMetadata().getUid()));
  }

  private boolean isOnThisNode(Pod pod) {
    return pod.getSpec() != null && nodeName.equals(pod.getSpec().getNodeName());
  }

  private static boolean isTerminal(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  private void changed(Pod pod) {
    notify(changeListeners, pod, "change");
    if (isTerminal(pod) && reportedGone.add(pod.getMetadata().getUid())) {
      notify(goneListeners, pod, "gone");
    }
  }

  private void deleted(Pod pod) {
    // A terminal pod was reported when it finished; forget it now,
    // the informer will not deliver it again.
    if (!reportedGone.remove(pod.getMetadata().getUid())) {
      notify(goneListeners, pod, "gone");
    }
  }

  private static void notify(List<Consumer<Pod>> listeners, Pod pod, String event) {
    for (Consumer<Pod> listener : listeners) {
      try {
        listener.accept(pod);
      } catch (RuntimeException e) {
        log.warn(
            "pod listener failed event={} pod={}/{}",
            event,
            pod.getMetadata().getNamespace(),
            pod.getMetadata().getName(),
            e);
      }
    }
  }

  /** Turns informer callbacks into this node's change and gone events. */
  private final class Dispatcher implements ResourceEventHandler<Pod> {
    @Override
    public void onAdd(Pod pod) {
      if (isOnThisNode(pod)) {
        changed(pod);
      }
    }

    @Override
    public void onUpdate(Pod oldPod, Pod newPod) {
      if (isOnThisNode(newPod)) {
        changed(newPod);
      }
    }

    @Override
    public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
      if (isOnThisNode(pod)) {
        deleted(pod);
      }
    }
  }
}
