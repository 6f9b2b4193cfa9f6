package io.kubeaccel.mps;

import io.kubeaccel.core.PluginFactory;
import io.kubeaccel.core.inventory.DeviceNodes;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.InventoryStore;
import io.kubeaccel.core.kube.NodeEvents;
import io.kubeaccel.core.sharing.CardEligibility;
import io.kubeaccel.core.sharing.SharePlugin;
import io.kubeaccel.core.sharing.SharedCards;
import io.kubeaccel.core.spi.ModePlugin;
import io.kubeaccel.mps.daemon.MpsDaemonSupervisor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MPS mode: {@code nvidia.com/mps-core} and {@code nvidia.com/mps-memory}, each on its own socket, advertised as
 * {@code <uuid>-mpscore-<n>} and {@code <uuid>-mpsmem-<n>} on the cards that can serve MPS.
 *
 * <p>As the agent's {@link PluginFactory}, for the cards NVML reports: refuses (logs, and raises a Node Event once per
 * card) cards older than Volta, a driver older than CUDA 11.5 and cards in MIG mode; reconciles the grants with the
 * kubelet; starts the MPS daemon for the remaining cards; and returns the two plugins. With no card left the agent
 * still runs, serving no devices, and says why. The {@link SharedCards} given must have been made with {@link
 * #eligibility()}, so refused cards are never placed or published either.
 */
public final class MpsMode implements PluginFactory {

  private static final Logger log = LoggerFactory.getLogger(MpsMode.class);
  private static final MpsRequirements REQUIREMENTS = new MpsRequirements();

  private final MpsOptions options;
  private final SharedCards cards;
  private final MpsDaemonSupervisor supervisor;
  private final MpsContainerResponder responder;
  private final NodeEvents events;
  private final Duration podSync;
  private final Set<String> reported = new HashSet<>();
  private boolean reportedNone;

  /**
   * @param deviceNodes the node's device nodes, handed to containers with their card
   * @param events where refused cards are reported
   * @param podSync how long the start waits for the pod cache before reconciling grants
   */
  public MpsMode(
      MpsOptions options,
      SharedCards cards,
      MpsDaemonSupervisor supervisor,
      DeviceNodes deviceNodes,
      NodeEvents events,
      Duration podSync) {
    this.options = options;
    this.cards = cards;
    this.supervisor = supervisor;
    this.responder = new MpsContainerResponder(options, deviceNodes);
    this.events = events;
    this.podSync = podSync;
  }

  /** Which cards can serve MPS: Volta or newer, a driver with CUDA 11.5 or newer, MIG off. */
  public static CardEligibility eligibility() {
    return REQUIREMENTS;
  }

  @Override
  public synchronized List<ModePlugin> create(Inventory inventory) {
    List<String> served = review(inventory);
    prepareShm();
    cards.reconcile(inventory, podSync);
    supervisor.start(served);
    return List.of(
        new SharePlugin(MpsOptions.CORE_RESOURCE, "mpscore", cards, responder::respond),
        new SharePlugin(MpsOptions.MEMORY_RESOURCE, "mpsmem", cards, responder::respond));
  }

  /** Once the agent runs: capacity publishing and the daemon's health marks follow its inventory. */
  public void started(InventoryStore inventory) {
    cards.start(inventory);
    supervisor.attach(inventory);
  }

  /** The UUIDs of the cards that can serve MPS; reports each refused card once. */
  private List<String> review(Inventory inventory) {
    List<String> served = new ArrayList<>();
    List<String> refusals = new ArrayList<>();
    for (Gpu gpu : inventory.gpus()) {
      Optional<String> refusal = REQUIREMENTS.refusal(gpu, inventory.driver());
      if (refusal.isEmpty()) {
        served.add(gpu.uuid());
        continue;
      }
      refusals.add(refusal.get());
      if (reported.add(gpu.uuid())) {
        log.warn("GPU not served by MPS gpu={} reason=\"{}\"", gpu.uuid(), refusal.get());
        events.warning("MpsGpuRefused", refusal.get());
      }
    }
    if (served.isEmpty() && !inventory.gpus().isEmpty() && !reportedNone) {
      reportedNone = true;
      String message = "No GPU on this node can serve MPS, so it offers no "
          + MpsOptions.CORE_RESOURCE + " or " + MpsOptions.MEMORY_RESOURCE + ": "
          + String.join("; ", refusals);
      log.warn("{}", message);
      events.warning("MpsNoUsableGpu", message);
    } else if (!served.isEmpty()) {
      log.info(
          "MPS serves gpus={} refused={}", served.size(), inventory.gpus().size() - served.size());
    }
    return served;
  }

  /** The containers' {@code /dev/shm}: world-writable and sticky, as a {@code /dev/shm} is. */
  private void prepareShm() {
    Path shm = options.shmDirectory();
    try {
      Files.createDirectories(shm);
      Files.setAttribute(shm, "unix:mode", 01777);
    } catch (IOException | UnsupportedOperationException e) {
      log.error(
          "cannot prepare the MPS shared-memory directory dir={} reason=\"{}\"", shm, e.toString());
    }
  }
}
