package io.kubeaccel.agent;

import io.kubeaccel.pgpu.config.PgpuConfigResolver;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The whole-card mode's options, named as in NVIDIA's device plugin. Nothing is defaulted here: a flag that is not
 * given leaves the value to its environment variable, then the config file, then the default ({@link
 * PgpuConfigResolver}).
 */
final class PgpuOptions {

  @Option(
      names = "--config-file",
      paramLabel = "FILE",
      description =
          "NVIDIA-style config file, version: v1 with flags and sharing.timeSlicing (env CONFIG_FILE).")
  Path configFile;

  @Option(
      names = "--mig-strategy",
      paramLabel = "STRATEGY",
      description = "none, single or mixed (env MIG_STRATEGY). Default: none.")
  String migStrategy;

  @Option(
      names = "--fail-on-init-error",
      paramLabel = "BOOL",
      arity = "0..1",
      fallbackValue = "true",
      description =
          "Exit 1 when NVML cannot start; with false, serve no devices and retry until NVML answers"
              + " (env FAIL_ON_INIT_ERROR). Default: true.")
  Boolean failOnInitError;

  @Option(
      names = "--pass-device-specs",
      paramLabel = "BOOL",
      arity = "0..1",
      fallbackValue = "true",
      description =
          "Also hand the kubelet the device nodes (/dev/nvidiaN and the control nodes), so containers"
              + " keep their GPUs when the runtime's device cgroup is rebuilt (env PASS_DEVICE_SPECS). Default: false.")
  Boolean passDeviceSpecs;

  @Option(
      names = "--device-list-strategy",
      paramLabel = "STRATEGY",
      description =
          "How Allocate names the cards: envvar, volume-mounts, cdi-annotations, cdi-cri; repeatable or"
              + " comma-separated (env DEVICE_LIST_STRATEGY). Default: envvar.")
  List<String> deviceListStrategies;

  @Option(
      names = "--device-id-strategy",
      paramLabel = "STRATEGY",
      description =
          "What identifies a card to the runtime: uuid or index (env DEVICE_ID_STRATEGY). Default: uuid.")
  String deviceIdStrategy;

  @Option(
      names = "--cdi-annotation-prefix",
      paramLabel = "PREFIX",
      description =
          "Key prefix of the CDI annotation (env CDI_ANNOTATION_PREFIX). Default: cdi.k8s.io/.")
  String cdiAnnotationPrefix;

  @Option(
      names = "--shared-devices-allocation-policy",
      paramLabel = "POLICY",
      description = "Which replicas of time-sliced cards a container gets: distributed or packed"
          + " (env SHARED_DEVICES_ALLOCATION_POLICY). Default: distributed.")
  String sharedAllocationPolicy;

  /** The flags as given, for the resolver (null where a flag was not used). */
  PgpuConfigResolver.Flags flags() {
    return new PgpuConfigResolver.Flags(
        migStrategy,
        failOnInitError,
        passDeviceSpecs,
        deviceListStrategies,
        deviceIdStrategy,
        cdiAnnotationPrefix,
        sharedAllocationPolicy,
        configFile);
  }
}
