package io.kubeaccel.agent;

import io.kubeaccel.core.AgentSettings;
import io.kubeaccel.core.inventory.DeviceNodes;
import io.kubeaccel.core.kube.KubeAccess;
import io.kubeaccel.core.ledger.Ledger;
import io.kubeaccel.core.metrics.CardHolders;
import io.kubeaccel.core.metrics.ContainerResolver;
import io.kubeaccel.core.metrics.MetricsSources;
import io.kubeaccel.core.sharing.SharedCards;
import io.kubeaccel.vgpu.HamiCoreBackend;
import io.kubeaccel.vgpu.VgpuMode;
import io.kubeaccel.vgpu.VgpuOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The vGPU node agent: slices of cards as tencent.com/vcuda-core and vcuda-memory, until SIGTERM. */
@Command(
    name = "vgpu",
    mixinStandardHelpOptions = true,
    description = {
      "Serve slices of GPUs as tencent.com/vcuda-core (100 = one card) and tencent.com/vcuda-memory (256 MiB"
          + " units) to the kubelet (the node agent of nvidia-device-enable=vgpu nodes).",
      "Limits are enforced in the container by HAMi-core. Runs until SIGTERM."
    })
final class VgpuCommand implements Callable<Integer> {

  @Mixin
  NodeOptions node;

  @Mixin
  ShareOptions share;

  @Mixin
  ClusterOptions cluster;

  @Option(
      names = "--core-oversubscription",
      paramLabel = "FACTOR",
      defaultValue = "${env:VGPU_CORE_OVERSUBSCRIPTION:-1}",
      description =
          "Each card advertises 100 x FACTOR vcuda-core (1 to 100; env VGPU_CORE_OVERSUBSCRIPTION)."
              + " Default: ${DEFAULT-VALUE}.")
  double coreFactor;

  @Option(
      names = "--memory-oversubscription",
      paramLabel = "FACTOR",
      defaultValue = "${env:VGPU_MEMORY_OVERSUBSCRIPTION:-1}",
      description =
          "Each card advertises its memory x FACTOR (1 to 100; env VGPU_MEMORY_OVERSUBSCRIPTION)."
              + " Default: ${DEFAULT-VALUE}.")
  double memoryFactor;

  @Option(
      names = "--hook-path",
      paramLabel = "DIR",
      defaultValue = "${env:VGPU_HOOK_PATH:-/usr/local/vgpu}",
      description =
          "Host directory with HAMi-core's libvgpu.so and ld.so.preload, mounted at the same path in the"
              + " agent; per-container caches go under its containers/ (env VGPU_HOOK_PATH). Default: ${DEFAULT-VALUE}.")
  Path hookPath;

  @Override
  public Integer call() throws IOException {
    node.logging.configure();
    Logger log = LoggerFactory.getLogger(VgpuCommand.class);
    VgpuOptions options = new VgpuOptions(coreFactor, memoryFactor, share.placement, hookPath);
    AgentSettings settings = node.settings(System.getenv(), share.failOnInitError);
    HamiCoreBackend backend = new HamiCoreBackend(
        hookPath, DeviceNodes.scan(node.devRoot, node.procRoot), VgpuOptions.MEMORY_UNIT);
    NodeServices services = NodeServices.connect("vgpu", cluster, true);
    KubeAccess kube = services.kube();
    Ledger ledger = Ledger.open(share.stateDir.resolve("vgpu/checkpoint.json"), Clock.systemUTC());
    SharedCards cards = new SharedCards(
        options.family(),
        ledger,
        kube.nodePods(),
        kube.podAnnotator(),
        services.metadata("capacity"),
        services.podResources(),
        cluster.nodeName,
        share.placement,
        Duration.ofSeconds(3),
        grant -> backend.released(grant.container()),
        Clock.systemUTC());
    log.info("vgpu options={} node={}", options, cluster.nodeName);
    Set<String> reportedMig = ConcurrentHashMap.newKeySet();
    return AgentLifecycle.run(
        log,
        "vgpu",
        settings,
        node.metrics(),
        new MetricsSources(
            ContainerResolver.fromPodCache(kube.nodePods()), CardHolders.fromLedger(ledger)),
        services,
        inventory -> {
          VgpuMode.reportMigCards(inventory, kube.nodeEvents(), reportedMig);
          cards.reconcile(inventory, Duration.ofSeconds(10));
          return VgpuMode.plugins(cards, backend);
        },
        runtime -> cards.start(runtime.inventory()),
        List.of(cards));
  }
}
