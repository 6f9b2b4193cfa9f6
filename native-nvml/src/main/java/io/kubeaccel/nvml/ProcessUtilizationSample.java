package io.kubeaccel.nvml;

/**
 * How much of a GPU one process used in NVML's last sample period ({@code nvmlProcessUtilizationSample_t}), in
 * percent.
 *
 * @param pid the process id (in the host's PID namespace)
 * @param timeStamp when the sample was taken, in microseconds since the epoch (CPU clock); pass the largest seen to the
 *     next {@link NvmlDevice#processUtilization} to get only newer samples
 * @param smUtil streaming multiprocessors (3D/compute)
 * @param memUtil framebuffer memory bandwidth
 * @param encUtil video encoder
 * @param decUtil video decoder
 */
public record ProcessUtilizationSample(
    int pid, long timeStamp, int smUtil, int memUtil, int encUtil, int decUtil) {}
