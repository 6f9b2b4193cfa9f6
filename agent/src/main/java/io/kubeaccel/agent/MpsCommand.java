package io.kubeaccel.agent;

import io.kubeaccel.core.AgentSettings;
import io.kubeaccel.core.inventory.DeviceNodes;
import io.kubeaccel.core.kube.KubeAccess;
import io.kubeaccel.core.ledger.Ledger;
import io.kubeaccel.core.metrics.CardHolders;
import io.kubeaccel.core.metrics.ContainerResolver;
import io.kubeaccel.core.metrics.MetricsSources;
import io.kubeaccel.core.node.ModeSwitchGuard;
import io.kubeaccel.core.sharing.SharedCards;
import io.kubeaccel.mps.MpsMode;
import io.kubeaccel.mps.MpsOptions;
import io.kubeaccel.mps.daemon.MpsDaemonSupervisor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The MPS node agent: shares of cards as nvidia.com/mps-core and mps-memory, with the node's MPS daemon, until SIGTERM. */
@Command(
    name = "mps",
    mixinStandardHelpOptions = true,
    description = {
      "Serve shares of GPUs as nvidia.com/mps-core (100 = one card) and nvidia.com/mps-memory (1 GiB units)"
          + " to the kubelet (the node agent of nvidia-device-enable=mps nodes).",
      "Runs and supervises the node's MPS control daemon; each container is an MPS client with its own thread"
          + " percentage and pinned memory limit. Cards older than Volta, drivers older than CUDA 11.5 and cards"
          + " in MIG mode are not served. Runs until SIGTERM."
    })
final class MpsCommand implements Callable<Integer> {

  @Mixin
  NodeOptions node;

  @Mixin
  ShareOptions share;

  @Mixin
  ClusterOptions cluster;

  @Option(
      names = "--mps-root",
      paramLabel = "DIR",
      defaultValue = "${env:MPS_ROOT:-/run/nvidia/mps}",
      description =
          "Host directory of the node's MPS state, mounted at the same path in the agent: pipe/ (the daemon's"
              + " pipe directory, mounted into every MPS container at /mps/pipe), log/ (its logs), shm/ (mounted"
              + " as the containers' /dev/shm; mount it as the agent's /dev/shm too) (env MPS_ROOT)."
              + " Default: ${DEFAULT-VALUE}.")
  Path mpsRoot;

  @Option(
      names = "--mps-control",
      paramLabel = "PROGRAM",
      defaultValue = "${env:MPS_CONTROL:-nvidia-cuda-mps-control}",
      description =
          "The MPS control program, a path or a name on PATH (env MPS_CONTROL). Default: ${DEFAULT-VALUE}.")
  String mpsControl;

  @Override
  public Integer call() throws IOException {
    node.logging.configure();
    Logger log = LoggerFactory.getLogger(MpsCommand.class);
    MpsOptions options = new MpsOptions(mpsRoot, mpsControl, share.placement);
    AgentSettings settings = node.settings(System.getenv(), share.failOnInitError);
    NodeServices services = NodeServices.connect("mps", cluster, true);
    KubeAccess kube = services.kube();
    Ledger ledger = Ledger.open(share.stateDir.resolve("mps/checkpoint.json"), Clock.systemUTC());
    SharedCards cards = new SharedCards(
        options.family(),
        MpsMode.eligibility(),
        ledger,
        kube.nodePods(),
        kube.podAnnotator(),
        services.metadata("capacity"),
        services.podResources(),
        cluster.nodeName,
        share.placement,
        Duration.ofSeconds(3),
        grant -> {},
        Clock.systemUTC());
    Set<String> ownResources = Set.of(MpsOptions.CORE_RESOURCE, MpsOptions.MEMORY_RESOURCE);
    MpsDaemonSupervisor supervisor = new MpsDaemonSupervisor(
        options.daemonSettings(),
        settings.nvml(),
        kube.nodeEvents(),
        inventory -> ModeSwitchGuard.heldByOthers(services.podResources(), ownResources, inventory),
        Clock.systemUTC());
    MpsMode mode = new MpsMode(
        options,
        cards,
        supervisor,
        DeviceNodes.scan(node.devRoot, node.procRoot),
        kube.nodeEvents(),
        Duration.ofSeconds(10));
    log.info("mps options={} node={}", options, cluster.nodeName);
    return AgentLifecycle.run(
        log,
        "mps",
        settings,
        node.metrics(),
        new MetricsSources(
            ContainerResolver.fromPodCache(kube.nodePods()), CardHolders.fromLedger(ledger)),
        services,
        mode,
        runtime -> mode.started(runtime.inventory()),
        // After the sockets are gone: the daemon quits and the cards return to DEFAULT compute
        // mode.
        List.of(supervisor, cards));
  }
}
