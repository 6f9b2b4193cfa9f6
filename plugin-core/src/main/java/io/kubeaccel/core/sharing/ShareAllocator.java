package io.kubeaccel.core.sharing;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.kube.NodePods;
import io.kubeaccel.core.kube.PodAnnotator;
import io.kubeaccel.core.ledger.CardShare;
import io.kubeaccel.core.ledger.Grant;
import io.kubeaccel.core.ledger.Ledger;
import io.kubeaccel.core.ledger.ListedContainer;
import io.kubeaccel.core.spi.InvalidRequestException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, for each Allocate of a {@link ShareFamily}'s resources, which container it belongs to and which card(s)
 * that container gets; records the grant in the {@link Ledger} before the answer leaves.
 *
 * <p>The kubelet does not say which pod an Allocate is for, and two pending pods may ask the same amounts. A share
 * container asks both resources, and the kubelet allocates them one after the other; after the first, the kubelet's
 * PodResources API already lists the container with that resource's device IDs. So the first Allocate of a container
 * answers nothing card-specific and is remembered; the second finds the container in PodResources by the device IDs
 * of the first, exactly, and answers everything (card, limits, mounts). Only a container asking one resource (whole
 * cards without memory), or a kubelet without PodResources, falls back to the admission order: pods the extender
 * placed on this node first, oldest first.
 *
 * <p>Not thread-safe by itself: the core calls every Allocate of an agent on one thread.
 */
public final class ShareAllocator {

  private static final Logger log = LoggerFactory.getLogger(ShareAllocator.class);
  /** A first half older than this is abandoned (its container's admission failed elsewhere). */
  private static final Duration HALF_LIFETIME = Duration.ofMinutes(2);

  private final ShareFamily family;
  private final Ledger ledger;
  private final NodePods pods;
  private final PodResourcesLookup podResources;
  private final PodAnnotator annotator;
  private final PlacementPolicy policy;
  private final Duration podWait;
  private final Clock clock;
  private final Candidates candidates;
  private final Object podsChanged = new Object();
  private Half pending;

  /** What one Allocate answers. */
  public sealed interface Decision permits Deferred, Placed {}

  /** The first of a container's two Allocates: nothing card-specific yet. */
  public record Deferred(String resource, long amount) implements Decision {}

  /** The container and its card(s), recorded in the ledger. */
  public record Placed(ContainerDemand demand, Grant grant, List<Gpu> cards) implements Decision {}

  /** A first Allocate waiting for its partner: the resource, its device IDs and the admission-order guess. */
  private record Half(
      String resource, List<String> deviceIds, ContainerDemand guess, long atMillis) {}

  public ShareAllocator(
      ShareFamily family,
      Ledger ledger,
      NodePods pods,
      PodResourcesLookup podResources,
      PodAnnotator annotator,
      String nodeName,
      PlacementPolicy policy,
      Duration podWait,
      Clock clock) {
    this.family = family;
    this.ledger = ledger;
    this.pods = pods;
    this.podResources = podResources;
    this.annotator = annotator;
    this.policy = policy;
    this.podWait = podWait;
    this.clock = clock;
    this.candidates = new Candidates(family, pods, ledger, nodeName);
    pods.onChange(pod -> {
      synchronized (podsChanged) {
        podsChanged.notifyAll();
      }
    });
  }

  public ShareFamily family() {
    return family;
  }

  /**
   * Decides one Allocate of {@code resource} with {@code deviceIds}.
   *
   * @throws InvalidRequestException when the request breaks a rule, no container asks for it, or nothing fits; no
   *     state changes then
   * @throws UncheckedIOException when the grant cannot be written to the checkpoint (nothing is granted)
   */
  public Decision allocate(String resource, List<String> deviceIds, Inventory inventory) {
    long amount = deviceIds.size();
    CardPool pool = CardPool.of(family, inventory, ledger.useByCard());
    ShareRules.checkAmount(family, resource, amount, pool);
    Half half = pending;
    if (half != null && clock.millis() - half.atMillis() > HALF_LIFETIME.toMillis()) {
      half = null;
    }
    if (half != null && half.resource().equals(family.partnerOf(resource))) {
      ContainerDemand demand = secondHalf(resource, amount, half);
      pending = null;
      return place(demand, pool);
    }
    List<ContainerDemand> asking = awaitCandidates(resource, amount);
    ContainerDemand best = asking.get(0);
    if (best.amountOf(family, family.partnerOf(resource)) > 0) {
      pending = new Half(resource, List.copyOf(deviceIds), best, clock.millis());
      log.debug(
          "first of two allocations resource={} amount={} guess={}/{}",
          resource,
          amount,
          best.pod().name(),
          best.container());
      return new Deferred(resource, amount);
    }
    pending = null;
    return place(best, pool);
  }

  /**
   * The container whose first Allocate was {@code half}: from PodResources when the kubelet answers, asking first
   * about the pod admission order suggests (one small {@code Get}), then about every pod ({@code List}).
   */
  private ContainerDemand secondHalf(String resource, long amount, Half half) {
    ContainerDemand guess = half.guess();
    Optional<List<ListedContainer>> ofGuess =
        podResources.get(guess.pod().namespace(), guess.pod().name());
    if (ofGuess.isEmpty()) {
      log.warn(
          "PodResources unavailable, using admission order resource={} guess={}/{}",
          half.resource(),
          guess.pod().name(),
          guess.container());
      return checked(guess, resource, amount, half);
    }
    Optional<ContainerDemand> found = holder(ofGuess.get(), resource, half);
    if (found.isEmpty()) {
      found = podResources.list().flatMap(all -> holder(all, resource, half));
    }
    if (found.isEmpty()) {
      log.warn(
          "first allocation not found in PodResources, using admission order resource={} guess={}/{}",
          half.resource(),
          guess.pod().name(),
          guess.container());
      return checked(guess, resource, amount, half);
    }
    return checked(found.get(), resource, amount, half);
  }

  /** The container among {@code listed} holding the first half's devices and not yet {@code resource}. */
  private Optional<ContainerDemand> holder(
      List<ListedContainer> listed, String resource, Half half) {
    Set<String> first = new HashSet<>(half.deviceIds());
    for (ListedContainer container : listed) {
      List<String> held = container.deviceIdsByResource().get(half.resource());
      if (held != null
          && new HashSet<>(held).equals(first)
          && !container.deviceIdsByResource().containsKey(resource)) {
        return Optional.of(candidates
            .of(container.namespace(), container.pod(), container.container())
            .orElseThrow(() -> new InvalidRequestException("pod " + container.namespace() + "/"
                + container.pod() + " holding " + half.resource() + " is not known on this node")));
      }
    }
    return Optional.empty();
  }

  private ContainerDemand checked(ContainerDemand demand, String resource, long amount, Half half) {
    if (demand.amountOf(family, resource) != amount) {
      throw new InvalidRequestException(String.format(
          "%s/%s container %s asks %d %s, the kubelet allocates %d after %d %s",
          demand.pod().namespace(),
          demand.pod().name(),
          demand.container(),
          demand.amountOf(family, resource),
          resource,
          amount,
          half.deviceIds().size(),
          half.resource()));
    }
    return demand;
  }

  /** Candidates asking {@code amount} of {@code resource}, waiting briefly for the pod cache to learn of new pods. */
  private List<ContainerDemand> awaitCandidates(String resource, long amount) {
    long deadline = System.nanoTime() + podWait.toNanos();
    while (true) {
      List<ContainerDemand> asking = candidates.asking(resource, amount);
      long left = deadline - System.nanoTime();
      if (!asking.isEmpty()) {
        return asking;
      }
      if (left <= 0) {
        throw new InvalidRequestException(String.format(
            "no pending pod on this node has a container asking %d %s (%d pods known%s)",
            amount,
            resource,
            pods.pods().size(),
            pods.hasSynced() ? "" : ", pod list not synced yet"));
      }
      synchronized (podsChanged) {
        try {
          podsChanged.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InvalidRequestException("interrupted while waiting for the pod list");
        }
      }
    }
  }

  private Placed place(ContainerDemand demand, CardPool pool) {
    ShareRules.checkDemand(family, demand, pool);
    List<Integer> extender = candidates.extenderChoice(demand);
    List<CardState> cards = pool.place(demand, extender, policy);
    List<Integer> indexes = cards.stream().map(c -> c.gpu().index()).toList();
    if (!extender.isEmpty() && !extender.equals(indexes)) {
      log.warn(
          "extender's cards no longer fit, placed elsewhere pod={}/{} container={} extender={} placed={}",
          demand.pod().namespace(),
          demand.pod().name(),
          demand.container(),
          extender,
          indexes);
    }
    List<CardShare> shares = new ArrayList<>();
    for (CardState card : cards) {
      shares.add(
          demand.wholeCards()
              ? new CardShare(
                  card.gpu().uuid(), card.gpu().index(), card.cores(), card.memoryUnits())
              : new CardShare(
                  card.gpu().uuid(), card.gpu().index(), demand.cores(), demand.memoryUnits()));
    }
    Grant grant = new Grant(
        Candidates.refOf(demand), family.name(), shares, demand.wholeCards(), clock.instant());
    try {
      ledger.record(grant);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record the grant in the checkpoint", e);
    }
    String cardList = indexes.stream().map(String::valueOf).collect(Collectors.joining(","));
    annotator.annotate(
        demand.pod(),
        Map.of(
            family.assignedAnnotation(),
            "true",
            family.cardIndexAnnotation(demand.index()),
            cardList));
    log.info(
        "granted pod={}/{} container={} cores={} memoryUnits={} cards={}",
        demand.pod().namespace(),
        demand.pod().name(),
        demand.container(),
        demand.cores(),
        demand.memoryUnits(),
        cardList);
    return new Placed(demand, grant, cards.stream().map(CardState::gpu).toList());
  }
}
