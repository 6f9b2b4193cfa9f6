package io.kubeaccel.core.sharing;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.kube.NodePods;
import io.kubeaccel.core.ledger.CardShare;
import io.kubeaccel.core.ledger.ContainerRef;
import io.kubeaccel.core.ledger.Grant;
import io.kubeaccel.core.ledger.Ledger;
import io.kubeaccel.core.ledger.ListedContainer;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the ledger true to the node: releases the grants of pods that are gone (as they go), and at start reconciles
 * the checkpoint with the kubelet's PodResources: containers the kubelet no longer lists are released; containers it
 * lists but the checkpoint lacks are recovered from the pod's own annotations (the card indexes the agent wrote).
 */
public final class GrantReconciler {

  /** What a reconciliation changed. */
  public record Report(int released, int recovered, int unrecoverable) {}

  private static final Logger log = LoggerFactory.getLogger(GrantReconciler.class);

  private final ShareFamily family;
  private final Ledger ledger;
  private final NodePods pods;
  private final PodResourcesLookup podResources;
  private final Consumer<List<Grant>> changed;
  private final Clock clock;

  /**
   * @param changed told after every change of the ledger, with the grants released (possibly none), e.g. to publish
   *     the node's capacity and clean up what released containers had on the host
   */
  public GrantReconciler(
      ShareFamily family,
      Ledger ledger,
      NodePods pods,
      PodResourcesLookup podResources,
      Consumer<List<Grant>> changed,
      Clock clock) {
    this.family = family;
    this.ledger = ledger;
    this.pods = pods;
    this.podResources = podResources;
    this.changed = changed;
    this.clock = clock;
  }

  /** Releases a pod's grants when it is deleted or finishes; its share is free for the next container at once. */
  public AutoCloseable releaseGonePods() {
    return pods.onGone(pod -> release(pod.getMetadata().getUid(), "pod gone"));
  }

  private void release(String podUid, String why) {
    try {
      List<Grant> released = ledger.release(
          g -> g.family().equals(family.name()) && g.container().podUid().equals(podUid));
      for (Grant grant : released) {
        log.info(
            "released pod={}/{} container={} reason=\"{}\"",
            grant.container().namespace(),
            grant.container().pod(),
            grant.container().container(),
            why);
      }
      if (!released.isEmpty()) {
        changed.accept(released);
      }
    } catch (IOException e) {
      log.error("cannot release grants pod={} reason=\"{}\"", podUid, e.toString());
    }
  }

  /**
   * Brings the ledger in line with the kubelet. Without PodResources nothing is released (the checkpoint is the best
   * knowledge then).
   */
  public Report reconcile(Inventory inventory) throws IOException {
    Optional<List<ListedContainer>> listed = podResources.list();
    if (listed.isEmpty()) {
      log.warn(
          "PodResources unavailable, keeping the checkpoint's grants as they are grants={}",
          ledger.grants().size());
      return new Report(0, 0, 0);
    }
    List<ListedContainer> holding = listed.get().stream()
        .filter(c -> c.deviceIdsByResource().keySet().stream().anyMatch(family::covers))
        .toList();
    List<Grant> released = ledger.release(g -> g.family().equals(family.name())
        && holding.stream()
            .noneMatch(c -> c.namespace().equals(g.container().namespace())
                && c.pod().equals(g.container().pod())
                && c.container().equals(g.container().container())));
    int recovered = 0;
    int unrecoverable = 0;
    for (ListedContainer container : holding) {
      boolean known = ledger.grants().stream()
          .anyMatch(g -> g.container().namespace().equals(container.namespace())
              && g.container().pod().equals(container.pod())
              && g.container().container().equals(container.container()));
      if (known) {
        continue;
      }
      Optional<Grant> grant = recover(container, inventory);
      if (grant.isPresent()) {
        ledger.record(grant.get());
        recovered++;
      } else {
        unrecoverable++;
        log.warn(
            "container holds {} devices but its card is unknown (no card annotation); its card may be"
                + " overcommitted until it ends pod={}/{} container={}",
            family.name(),
            container.namespace(),
            container.pod(),
            container.container());
      }
    }
    log.info(
        "reconciled with PodResources family={} released={} recovered={} unrecoverable={} grants={}",
        family.name(),
        released.size(),
        recovered,
        unrecoverable,
        ledger.grants().size());
    if (!released.isEmpty() || recovered > 0) {
      changed.accept(released);
    }
    return new Report(released.size(), recovered, unrecoverable);
  }

  /** A grant rebuilt from the pod's spec and the card indexes recorded on it. */
  private Optional<Grant> recover(ListedContainer listed, Inventory inventory) {
    Optional<Pod> pod = pods.pods().stream()
        .filter(p -> listed.namespace().equals(p.getMetadata().getNamespace())
            && listed.pod().equals(p.getMetadata().getName()))
        .findFirst();
    if (pod.isEmpty()) {
      return Optional.empty();
    }
    Optional<ContainerDemand> demand = Demands.of(pod.get(), family).stream()
        .filter(d -> d.container().equals(listed.container()))
        .findFirst();
    String indexes = pod.get().getMetadata().getAnnotations() == null
        ? null
        : pod.get()
            .getMetadata()
            .getAnnotations()
            .get(family.cardIndexAnnotation(demand.map(ContainerDemand::index).orElse(-1)));
    if (demand.isEmpty() || indexes == null || indexes.isBlank()) {
      return Optional.empty();
    }
    List<CardShare> shares = new ArrayList<>();
    for (String part : indexes.split(",")) {
      int index;
      try {
        index = Integer.parseInt(part.trim());
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
      Optional<Gpu> card =
          inventory.gpus().stream().filter(g -> g.index() == index).findFirst();
      if (card.isEmpty()) {
        return Optional.empty();
      }
      ContainerDemand d = demand.get();
      shares.add(
          d.wholeCards()
              ? new CardShare(
                  card.get().uuid(),
                  index,
                  family.coresPerCard(),
                  family.memoryUnitsOf(card.get().memoryBytes()))
              : new CardShare(card.get().uuid(), index, d.cores(), d.memoryUnits()));
    }
    ContainerDemand d = demand.get();
    return Optional.of(new Grant(
        new ContainerRef(d.pod().uid(), d.pod().namespace(), d.pod().name(), d.container()),
        family.name(),
        shares,
        d.wholeCards(),
        clock.instant()));
  }
}
