package io.kubeaccel.nvml;

/**
 * How busy a GPU was over NVML's last sample period ({@code nvmlUtilization_t}), in percent.
 *
 * @param gpu time during which one or more kernels were running
 * @param memory time during which device memory was being read or written
 */
public record Utilization(int gpu, int memory) {}
