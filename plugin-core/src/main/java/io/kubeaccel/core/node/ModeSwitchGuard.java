package io.kubeaccel.core.node;

import io.kubeaccel.core.inventory.CardIds;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Health;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.InventoryStore;
import io.kubeaccel.core.ledger.ListedContainer;
import io.kubeaccel.core.sharing.PodResourcesLookup;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps two modes from handing out one card when a node switches mode: cards still held by containers of another
 * mode's resources (seen in the kubelet's PodResources) are advertised Unhealthy until those containers end, then
 * Healthy again.
 *
 * <p>Unhealthy rather than hidden: the kubelet keeps the device IDs and the node's capacity honest (the cards exist
 * but cannot be given), the reason shows in the log, the Node's Events and {@code kubectl describe node}, and the
 * cards come back by themselves without re-registration.
 */
public final class ModeSwitchGuard implements AutoCloseable {

  /** Reason prefix of a withheld card. */
  public static final String REASON = "held by containers of another mode: ";

  /**
   * Resources that may hold GPUs, of every mode: NVIDIA's (whole cards, MIG, MPS, and time-sliced cards renamed to any
   * {@code nvidia.com/<name>}) and GPU-Manager's slices. A device ID of one of them that names a card holds it.
   */
  private static final List<String> GPU_RESOURCE_PREFIXES =
      List.of("nvidia.com/", "tencent.com/vcuda-");

  private static final Logger log = LoggerFactory.getLogger(ModeSwitchGuard.class);

  private final PodResourcesLookup podResources;
  private final Set<String> ownResources;
  private final InventoryStore store;
  private final Duration interval;
  private final Clock clock;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final Thread thread;

  public ModeSwitchGuard(
      PodResourcesLookup podResources,
      Set<String> ownResources,
      InventoryStore store,
      Duration interval,
      Clock clock) {
    this.podResources = podResources;
    this.ownResources = Set.copyOf(ownResources);
    this.store = store;
    this.interval = interval;
    this.clock = clock;
    this.thread = new Thread(this::run, "kubeaccel-mode-guard");
    this.thread.setDaemon(true);
  }

  /** Checks once now, then every interval on its own thread. */
  public void start() {
    check();
    thread.start();
  }

  private void run() {
    try {
      while (!stop.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
        check();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Withholds the cards other modes' containers hold and gives back those they released. */
  public void check() {
    Optional<List<ListedContainer>> listed = podResources.list();
    if (listed.isEmpty()) {
      return; // no PodResources: nothing known to withhold (logged by the lookup)
    }
    Map<String, Set<String>> holders = holders(listed.get(), store.current());
    store.update(inventory -> {
      Inventory result = inventory;
      for (Gpu gpu : inventory.gpus()) {
        Health health = inventory.health(gpu.uuid());
        Set<String> pods = holders.get(gpu.uuid());
        if (pods != null) {
          if (!health.has(REASON)) {
            log.warn(
                "gpu withheld, another mode's containers hold it gpu={} index={} pods=\"{}\"",
                gpu.uuid(),
                gpu.index(),
                String.join(", ", pods));
          }
          result = result.withProblem(gpu.uuid(), REASON, String.join(", ", pods), clock.instant());
        } else if (health.has(REASON)) {
          log.info(
              "gpu released by the other mode's containers gpu={} index={}",
              gpu.uuid(),
              gpu.index());
          result = result.withoutProblem(gpu.uuid(), REASON, clock.instant());
        }
      }
      return result;
    });
  }

  /** Cards (by UUID) held through resources that are not ours, with the pods holding them. */
  Map<String, Set<String>> holders(List<ListedContainer> listed, Inventory inventory) {
    return holders(listed, ownResources, inventory);
  }

  /**
   * The cards (UUIDs) of {@code inventory} that containers hold through GPU resources other than {@code
   * ownResources}, as PodResources lists them now; empty when PodResources cannot say. For a part of an agent that
   * must not touch such cards (the MPS daemon's compute modes) and runs on its own thread.
   */
  public static Optional<Set<String>> heldByOthers(
      PodResourcesLookup podResources, Set<String> ownResources, Inventory inventory) {
    return podResources
        .list()
        .map(listed -> holders(listed, ownResources, inventory).keySet());
  }

  private static Map<String, Set<String>> holders(
      List<ListedContainer> listed, Set<String> ownResources, Inventory inventory) {
    Map<String, Set<String>> holders = new TreeMap<>();
    for (ListedContainer container : listed) {
      container.deviceIdsByResource().forEach((resource, ids) -> {
        if (ownResources.contains(resource)
            || GPU_RESOURCE_PREFIXES.stream().noneMatch(resource::startsWith)) {
          return;
        }
        for (String id : ids) {
          CardIds.cardOf(resource, id, inventory)
              .ifPresent(card -> holders
                  .computeIfAbsent(card, k -> new TreeSet<>())
                  .add(container.namespace() + "/" + container.pod()));
        }
      });
    }
    return holders;
  }

  @Override
  public void close() {
    stop.countDown();
    thread.interrupt();
  }
}
