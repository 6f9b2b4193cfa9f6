package io.kubeaccel.agent;

import io.kubeaccel.core.AgentRuntime;
import io.kubeaccel.core.AgentSettings;
import io.kubeaccel.core.inventory.DeviceNodes;
import io.kubeaccel.core.server.AllocationObserver;
import io.kubeaccel.nvml.NvmlException;
import io.kubeaccel.pgpu.WholeCardOptions;
import io.kubeaccel.pgpu.WholeCardPlugin;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The whole-card node agent: serves {@code nvidia.com/gpu} to the kubelet until SIGTERM. */
@Command(
    name = "pgpu",
    mixinStandardHelpOptions = true,
    description = {
      "Serve whole GPUs as nvidia.com/gpu to the kubelet (the node agent of nvidia-device-enable=pgpu nodes).",
      "Runs until SIGTERM, which removes its sockets. Exits 1 when NVML cannot start and --fail-on-init-error is"
          + " set, or when serving/registration keeps failing."
    })
final class PgpuCommand implements Callable<Integer> {

  @Mixin
  NodeOptions node;

  @Option(
      names = "--pass-device-specs",
      paramLabel = "BOOL",
      arity = "0..1",
      fallbackValue = "true",
      defaultValue = "${env:PASS_DEVICE_SPECS:-false}",
      description =
          "Also hand the kubelet the device nodes (/dev/nvidiaN and the control nodes), so containers keep"
              + " their GPUs when the runtime's device cgroup is rebuilt (env PASS_DEVICE_SPECS)."
              + " Default: ${DEFAULT-VALUE}.")
  boolean passDeviceSpecs;

  @Option(
      names = "--device-id-strategy",
      paramLabel = "STRATEGY",
      defaultValue = "${env:DEVICE_ID_STRATEGY:-uuid}",
      converter = DeviceIdStrategyConverter.class,
      description =
          "What NVIDIA_VISIBLE_DEVICES carries: uuid or index (env DEVICE_ID_STRATEGY). Default: ${DEFAULT-VALUE}.")
  WholeCardOptions.DeviceIdStrategy deviceIdStrategy;

  /** Parses uuid|index, reporting a bad value as a usage error rather than a stack trace. */
  static final class DeviceIdStrategyConverter
      implements ITypeConverter<WholeCardOptions.DeviceIdStrategy> {
    @Override
    public WholeCardOptions.DeviceIdStrategy convert(String value) {
      try {
        return WholeCardOptions.DeviceIdStrategy.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  @Override
  public Integer call() {
    Logging.configure(node.logFormat, node.logLevel);
    Logger log = LoggerFactory.getLogger(PgpuCommand.class);
    AgentSettings settings = node.settings(System.getenv());
    WholeCardOptions options = new WholeCardOptions(passDeviceSpecs, deviceIdStrategy);
    WholeCardPlugin plugin = new WholeCardPlugin(options, DeviceNodes.scan(node.devRoot));
    AgentRuntime runtime;
    try {
      runtime =
          AgentRuntime.start(settings, List.of(plugin), AllocationObserver.NONE, Clock.systemUTC());
    } catch (NvmlException e) {
      log.error(
          "NVML failed to start and --fail-on-init-error is set, exiting: {}", e.getMessage());
      return 1;
    } catch (java.io.IOException e) {
      log.error("cannot serve the kubelet: {}", e.toString());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(runtime::close, "kubeaccel-shutdown"));
    log.info("pgpu agent running version={} options={}", Version.current(), options);
    String reason = runtime.gaveUp().join();
    log.error("exiting: {}", reason);
    runtime.close();
    return 1;
  }
}
