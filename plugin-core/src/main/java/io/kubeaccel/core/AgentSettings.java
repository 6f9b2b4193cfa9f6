package io.kubeaccel.core;

import io.kubeaccel.core.health.HealthPolicy;
import io.kubeaccel.core.server.HostSettings;
import io.kubeaccel.nvml.NvmlLibraryPath;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What every node agent needs to know, whatever its mode.
 *
 * @param nvml where libnvidia-ml.so.1 is looked for
 * @param sysRoot sysfs mount, read for each GPU's NUMA node ({@code /sys})
 * @param host how to reach the kubelet
 * @param health which events make a card unhealthy
 * @param failOnInitError exit when NVML cannot start, instead of serving no devices and retrying
 * @param nvmlRetry first delay between NVML start attempts when it failed (doubles up to 5 minutes)
 */
public record AgentSettings(
    NvmlLibraryPath nvml,
    Path sysRoot,
    HostSettings host,
    HealthPolicy health,
    boolean failOnInitError,
    Duration nvmlRetry) {}
