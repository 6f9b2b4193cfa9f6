package io.kubeaccel.agent;

import io.kubeaccel.core.AgentRuntime;
import io.kubeaccel.core.AgentSettings;
import io.kubeaccel.core.inventory.DeviceNodes;
import io.kubeaccel.core.server.AllocationObserver;
import io.kubeaccel.nvml.NvmlException;
import io.kubeaccel.pgpu.PgpuMode;
import io.kubeaccel.pgpu.config.PgpuConfig;
import io.kubeaccel.pgpu.config.PgpuConfigResolver;
import java.io.IOException;
import java.time.Clock;
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

  @Override
  public Integer call() {
    Logging.configure(node.logFormat, node.logLevel);
    Logger log = LoggerFactory.getLogger(PgpuCommand.class);
    PgpuConfigResolver.Resolved resolved =
        PgpuConfigResolver.resolve(pgpu.flags(), System.getenv());
    resolved.warnings().forEach(warning -> log.warn("config {}", warning));
    PgpuConfig config = resolved.config();
    AgentSettings settings = node.settings(System.getenv(), config.failOnInitError());
    DeviceNodes deviceNodes = DeviceNodes.scan(node.devRoot, node.procRoot);
    AgentRuntime runtime;
    try {
      runtime = AgentRuntime.start(
          settings,
          inventory -> PgpuMode.plugins(config, deviceNodes, inventory),
          AllocationObserver.NONE,
          Clock.systemUTC());
    } catch (NvmlException e) {
      log.error("NVML failed to start and fail-on-init-error is set, exiting: {}", e.getMessage());
      return 1;
    } catch (IOException e) {
      log.error("cannot serve the kubelet: {}", e.toString());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(runtime::close, "kubeaccel-shutdown"));
    log.info(
        "pgpu agent running version={} config={} configFile={}",
        Version.current(),
        config,
        resolved.configFile());
    String reason = runtime.gaveUp().join();
    log.error("exiting: {}", reason);
    runtime.close();
    return 1;
  }
}
