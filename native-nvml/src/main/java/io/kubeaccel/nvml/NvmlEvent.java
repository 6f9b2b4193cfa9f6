package io.kubeaccel.nvml;

/**
 * One event from {@link NvmlEventSet#await} ({@code nvmlEventData_t}).
 *
 * @param device the GPU that reported it, one of those registered with the set
 * @param eventType one of {@link NvmlEventTypes}
 * @param eventData for {@link NvmlEventTypes#XID_CRITICAL_ERROR}, the XID number
 * @param gpuInstanceId MIG GPU instance, or 0xFFFFFFFF when the event concerns the whole GPU
 * @param computeInstanceId MIG compute instance, or 0xFFFFFFFF when the event concerns the whole GPU
 */
public record NvmlEvent(
    NvmlDevice device, long eventType, long eventData, int gpuInstanceId, int computeInstanceId) {}
