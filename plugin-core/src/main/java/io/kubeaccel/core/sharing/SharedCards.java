package io.kubeaccel.core.sharing;

import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.InventoryStore;
import io.kubeaccel.core.kube.NodeMetadataPublisher;
import io.kubeaccel.core.kube.NodePods;
import io.kubeaccel.core.kube.PodAnnotator;
import io.kubeaccel.core.ledger.Grant;
import io.kubeaccel.core.ledger.Ledger;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a share mode (vGPU, MPS) runs on a node besides its own decisions: the allocator, the ledger kept true
 * by reconciliation and pod departures, and the capacity annotation kept current for the scheduler extender.
 */
public final class SharedCards implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SharedCards.class);

  private final Ledger ledger;
  private final NodePods pods;
  private final ShareAllocator allocator;
  private final GrantReconciler reconciler;
  private final CapacityPublisher capacity;
  private final Consumer<Grant> released;
  private final CardEligibility eligibility;
  private final List<AutoCloseable> subscriptions = new ArrayList<>();
  private volatile InventoryStore store;

  /**
   * Shares every card of the node (but MIG-enabled ones).
   *
   * @param released told of each grant that ended, to clean up what the container had on the host
   * @param podWait how long an Allocate waits for the pod cache to learn of its pod
   */
  public SharedCards(
      ShareFamily family,
      Ledger ledger,
      NodePods pods,
      PodAnnotator annotator,
      NodeMetadataPublisher metadata,
      PodResourcesLookup podResources,
      String nodeName,
      PlacementPolicy policy,
      Duration podWait,
      Consumer<Grant> released,
      Clock clock) {
    this(
        family,
        CardEligibility.ANY,
        ledger,
        pods,
        annotator,
        metadata,
        podResources,
        nodeName,
        policy,
        podWait,
        released,
        clock);
  }

  /**
   * Shares only the cards {@code eligibility} accepts: the others are not advertised, placed or published.
   *
   * @param released told of each grant that ended, to clean up what the container had on the host
   * @param podWait how long an Allocate waits for the pod cache to learn of its pod
   */
  public SharedCards(
      ShareFamily family,
      CardEligibility eligibility,
      Ledger ledger,
      NodePods pods,
      PodAnnotator annotator,
      NodeMetadataPublisher metadata,
      PodResourcesLookup podResources,
      String nodeName,
      PlacementPolicy policy,
      Duration podWait,
      Consumer<Grant> released,
      Clock clock) {
    this.eligibility = eligibility;
    this.ledger = ledger;
    this.pods = pods;
    this.released = released;
    this.allocator = new ShareAllocator(
        family, ledger, pods, podResources, annotator, nodeName, policy, podWait, clock);
    this.reconciler = new GrantReconciler(family, ledger, pods, podResources, this::changed, clock);
    this.capacity = new CapacityPublisher(family, metadata);
  }

  public ShareFamily family() {
    return allocator.family();
  }

  /** The part of {@code inventory} this mode shares: its eligible cards only. */
  public Inventory eligible(Inventory inventory) {
    return eligibility.restrict(inventory);
  }

  /**
   * Decides one Allocate (see {@link ShareAllocator#allocate}) and, when it grants, publishes the new capacity.
   */
  public ShareAllocator.Decision allocate(
      String resource, List<String> deviceIds, Inventory inventory) {
    ShareAllocator.Decision decision = allocator.allocate(resource, deviceIds, eligible(inventory));
    if (decision instanceof ShareAllocator.Placed) {
      publish();
    }
    return decision;
  }

  public Ledger ledger() {
    return ledger;
  }

  /**
   * Reconciles the checkpoint with the kubelet for the cards of {@code inventory}, waiting up to {@code podSync} for
   * the pod cache (recoveries need the pods; without them only releases happen). Call before serving the kubelet.
   */
  public GrantReconciler.Report reconcile(Inventory inventory, Duration podSync) {
    if (!pods.awaitSynced(podSync)) {
      log.warn("pod list not synced after {}, reconciling without it", podSync);
    }
    try {
      return reconciler.reconcile(eligible(inventory));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the reconciled checkpoint", e);
    }
  }

  /** Starts releasing departed pods' grants and publishing capacity on every inventory or ledger change. */
  public void start(InventoryStore inventory) {
    this.store = inventory;
    subscriptions.add(reconciler.releaseGonePods());
    subscriptions.add(inventory.subscribe(snapshot -> publish()));
    publish();
  }

  /** Publishes the node's capacity now (after a grant, for instance). */
  public void publish() {
    InventoryStore current = store;
    if (current != null) {
      capacity.publish(eligible(current.current()), ledger.useByCard());
    }
  }

  private void changed(List<Grant> releasedGrants) {
    for (Grant grant : releasedGrants) {
      try {
        released.accept(grant);
      } catch (RuntimeException e) {
        log.warn(
            "clean-up after release failed container={} reason=\"{}\"",
            grant.container(),
            e.toString());
      }
    }
    publish();
  }

  @Override
  public void close() {
    for (AutoCloseable subscription : subscriptions) {
      try {
        subscription.close();
      } catch (Exception e) {
        log.debug("unsubscribe failed", e);
      }
    }
  }
}
