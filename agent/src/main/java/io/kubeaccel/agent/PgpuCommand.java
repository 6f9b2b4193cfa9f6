package io.kubeaccel.agent;

import io.kubeaccel.core.AgentSettings;
import io.kubeaccel.core.inventory.DeviceNodes;
import io.kubeaccel.core.metrics.MetricsSources;
import io.kubeaccel.pgpu.PgpuMode;
import io.kubeaccel.pgpu.config.PgpuConfig;
import io.kubeaccel.pgpu.config.PgpuConfigResolver;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The whole-card node agent: serves {@code nvidia.com/gpu} (and MIG/shared resources) to the kubelet until SIGTERM. */
@Command(
    name = "pgpu",
    mixinStandardHelpOptions = true,
    description = {
      "Serve whole GPUs as nvidia.com/gpu to the kubelet (the node agent of nvidia-device-enable=pgpu nodes).",
      "Options named as in NVIDIA's device plugin; each comes from its flag, else its environment variable, else"
          + " the config file, else the default.",
      "Runs until SIGTERM, which removes its sockets. Exits 1 when NVML cannot start and fail-on-init-error is"
          + " set, when serving/registration keeps failing, or on an invalid configuration."
    })
final class PgpuCommand implements Callable<Integer> {

  @Mixin
  NodeOptions node;

  @Mixin
  PgpuOptions pgpu;

  @Mixin
  ClusterOptions cluster;

  @Override
  public Integer call() {
    node.logging.configure();
    Logger log = LoggerFactory.getLogger(PgpuCommand.class);
    PgpuConfigResolver.Resolved resolved =
        PgpuConfigResolver.resolve(pgpu.flags(), System.getenv());
    resolved.warnings().forEach(warning -> log.warn("config {}", warning));
    PgpuConfig config = resolved.config();
    AgentSettings settings = node.settings(System.getenv(), config.failOnInitError());
    DeviceNodes deviceNodes = DeviceNodes.scan(node.devRoot, node.procRoot);
    log.info("pgpu config={} configFile={}", config, resolved.configFile());
    NodeServices services = NodeServices.connect("pgpu", cluster, false);
    return AgentLifecycle.run(
        log,
        "pgpu",
        settings,
        node.metrics(),
        MetricsSources.withoutKubernetes(services.podResourcesClient()),
        services,
        inventory -> PgpuMode.plugins(config, deviceNodes, inventory),
        runtime -> {},
        List.of());
  }
}
