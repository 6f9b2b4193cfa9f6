package io.kubeaccel.core.inventory;

import io.kubeaccel.nvml.CudaVersion;

/**
 * The NVIDIA driver of the node.
 *
 * @param version driver version, e.g. {@code 550.54.15}
 * @param cudaVersion the highest CUDA version the driver supports
 */
public record DriverInfo(String version, CudaVersion cudaVersion) {}
