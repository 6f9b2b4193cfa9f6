package io.kubeaccel.pgpu.config;

import java.util.List;

/**
 * What a config file sets; null where it says nothing, so flags and environment can take precedence and defaults can
 * fill in.
 *
 * @param warnings keys NVIDIA's plugin knows that this agent accepts but does not act on, one line each
 */
public record ConfigFileValues(
    MigStrategy migStrategy,
    Boolean failOnInitError,
    Boolean passDeviceSpecs,
    List<DeviceListStrategy> deviceListStrategies,
    DeviceIdStrategy deviceIdStrategy,
    String cdiAnnotationPrefix,
    SharedAllocationPolicy sharedAllocationPolicy,
    TimeSlicing timeSlicing,
    List<String> warnings) {

  /** A file that sets nothing (no config file given). */
  public static final ConfigFileValues EMPTY =
      new ConfigFileValues(null, null, null, null, null, null, null, null, List.of());
}
