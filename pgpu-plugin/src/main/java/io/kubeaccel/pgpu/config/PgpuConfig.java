package io.kubeaccel.pgpu.config;

import java.util.List;

/**
 * The whole-card mode's settings after merging flags, environment and config file (flag > env > file > default), as
 * NVIDIA's device plugin does. Valid by construction: {@link PgpuConfigResolver} builds it only from valid input.
 *
 * @param migStrategy how MIG cards are offered
 * @param failOnInitError exit when NVML cannot start instead of retrying
 * @param passDeviceSpecs hand the kubelet device nodes with each allocation
 * @param deviceListStrategies how Allocate names the cards to the runtime; one or several, no repeats
 * @param deviceIdStrategy UUIDs or indexes in what the runtime sees
 * @param cdiAnnotationPrefix prefix of the CDI annotation key, {@code cdi.k8s.io/} by default
 * @param sharedAllocationPolicy which replicas of time-sliced cards a container gets
 * @param timeSlicing the replicated resources; {@link TimeSlicing#NONE} when cards are not shared
 */
public record PgpuConfig(
    MigStrategy migStrategy,
    boolean failOnInitError,
    boolean passDeviceSpecs,
    List<DeviceListStrategy> deviceListStrategies,
    DeviceIdStrategy deviceIdStrategy,
    String cdiAnnotationPrefix,
    SharedAllocationPolicy sharedAllocationPolicy,
    TimeSlicing timeSlicing) {

  /** The prefix of CDI annotation keys container runtimes look for. */
  public static final String DEFAULT_CDI_ANNOTATION_PREFIX = "cdi.k8s.io/";

  public PgpuConfig {
    deviceListStrategies = List.copyOf(deviceListStrategies);
    if (deviceListStrategies.isEmpty()) {
      throw new IllegalArgumentException("at least one device list strategy is needed");
    }
  }

  /** NVIDIA's defaults: no MIG, fail on init error, no device specs, envvar, uuid, distributed, no sharing. */
  public static PgpuConfig defaults() {
    return new PgpuConfig(
        MigStrategy.NONE,
        true,
        false,
        List.of(DeviceListStrategy.ENVVAR),
        DeviceIdStrategy.UUID,
        DEFAULT_CDI_ANNOTATION_PREFIX,
        SharedAllocationPolicy.DISTRIBUTED,
        TimeSlicing.NONE);
  }
}
