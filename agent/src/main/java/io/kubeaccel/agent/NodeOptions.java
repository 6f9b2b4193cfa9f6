package io.kubeaccel.agent;

import io.kubeaccel.core.AgentSettings;
import io.kubeaccel.core.health.HealthPolicy;
import io.kubeaccel.core.metrics.MetricsSettings;
import io.kubeaccel.core.server.HostSettings;
import io.kubeaccel.nvml.NvmlLibraryPath;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * Options every node agent shares, whatever its mode. Each can also come from the environment variable named in its
 * description; a flag wins over the variable, the variable over the default.
 */
final class NodeOptions {

  @Option(
      names = "--device-plugin-dir",
      paramLabel = "DIR",
      defaultValue = "${env:DEVICE_PLUGIN_DIR:-/var/lib/kubelet/device-plugins}",
      description =
          "The kubelet's device-plugin directory (env DEVICE_PLUGIN_DIR). Default: ${DEFAULT-VALUE}.")
  Path deviceDir;

  @Option(
      names = "--driver-root",
      paramLabel = "DIR",
      defaultValue = "${env:NVIDIA_DRIVER_ROOT:-/}",
      description =
          "Root of the NVIDIA driver installation as mounted in this container; libnvidia-ml.so.1 is looked for"
              + " in its library directories before the system's (env NVIDIA_DRIVER_ROOT). Default: ${DEFAULT-VALUE}.")
  Path driverRoot;

  @Option(
      names = "--nvml-library-dir",
      paramLabel = "DIR",
      description = "A directory holding libnvidia-ml.so.1, searched first; repeatable.")
  List<Path> nvmlDirs = new ArrayList<>();

  @Option(
      names = "--dev-root",
      paramLabel = "DIR",
      defaultValue = "${env:NVIDIA_DEV_ROOT:-/}",
      description =
          "Where the host's /dev is visible to this container, to find the NVIDIA control device nodes"
              + " (env NVIDIA_DEV_ROOT). Default: ${DEFAULT-VALUE}.")
  Path devRoot;

  @Option(
      names = "--proc-root",
      paramLabel = "DIR",
      defaultValue = "${env:PROC_ROOT:-/proc}",
      description =
          "procfs, read for the MIG capability device minors (driver/nvidia-caps/mig-minors) and for the"
              + " cgroup of every GPU process, to name its container in /metrics: the host's, seen with"
              + " hostPID (env PROC_ROOT). Default: ${DEFAULT-VALUE}.")
  Path procRoot;

  @Option(
      names = "--sys-root",
      paramLabel = "DIR",
      defaultValue = "${env:SYSFS_ROOT:-/sys}",
      description =
          "The sysfs mount, read for each GPU's NUMA node (env SYSFS_ROOT). Default: ${DEFAULT-VALUE}.")
  Path sysRoot;

  @Option(
      names = "--metrics-address",
      paramLabel = "[HOST]:PORT|off",
      defaultValue = "${env:METRICS_ADDRESS:-" + MetricsSettings.DEFAULT_ADDRESS + "}",
      converter = MetricsAddressSyntax.class,
      description =
          "Where /metrics (Prometheus text format) is served, e.g. :9400 (every interface), 127.0.0.1:9400;"
              + " off serves and samples nothing (env METRICS_ADDRESS). Default: ${DEFAULT-VALUE}.")
  String metricsAddress;

  @Option(
      names = "--metrics-interval",
      paramLabel = "DURATION",
      defaultValue = "${env:METRICS_INTERVAL:-10s}",
      converter = MetricsIntervalConverter.class,
      description =
          "How often NVML is sampled for /metrics, e.g. 10s, 500ms, 1m; scrapes read the last sample"
              + " (env METRICS_INTERVAL). Default: ${DEFAULT-VALUE}.")
  Duration metricsInterval;

  @Mixin
  LogOptions logging;

  /** Where NVML is looked for: explicit directories, then the driver root's library directories, then the system. */
  NvmlLibraryPath nvmlPath() {
    List<Path> dirs = new ArrayList<>(nvmlDirs);
    if (!driverRoot.equals(Path.of("/"))) {
      for (String lib : List.of("usr/lib/x86_64-linux-gnu", "usr/lib64", "usr/lib", "lib64")) {
        dirs.add(driverRoot.resolve(lib));
      }
    }
    return new NvmlLibraryPath(dirs, true);
  }

  /**
   * The settings these options describe, with the health policy read from {@code env}.
   *
   * @param failOnInitError as the mode resolved it (the whole-card mode also reads it from its config file)
   * @throws IllegalArgumentException when a health-check variable is malformed
   */
  AgentSettings settings(Map<String, String> env, boolean failOnInitError) {
    return new AgentSettings(
        nvmlPath(),
        sysRoot,
        HostSettings.defaults(deviceDir),
        HealthPolicy.fromEnvironment(env),
        failOnInitError,
        Duration.ofSeconds(5));
  }

  /** How this agent exports metrics. */
  MetricsSettings metrics() {
    return new MetricsSettings(
        MetricsSettings.parseAddress(metricsAddress), metricsInterval, procRoot, nvmlPath());
  }

  /** Checks {@code --metrics-address} while parsing, so a typo is a usage error; the text itself is kept. */
  static final class MetricsAddressSyntax implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      try {
        MetricsSettings.parseAddress(value);
        return value;
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** Reads {@code --metrics-interval}, a usage error when malformed. */
  static final class MetricsIntervalConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return MetricsSettings.parseInterval(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
