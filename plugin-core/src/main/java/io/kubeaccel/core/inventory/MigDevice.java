package io.kubeaccel.core.inventory;

/**
 * A MIG device of a card in MIG mode: a GPU instance with one compute instance, usable by a container as if it were
 * a small card.
 *
 * @param uuid its own UUID, {@code MIG-...}
 * @param index its slot on the card ({@code nvmlDeviceGetMigDeviceHandleByIndex}); NVIDIA's index strategy names it
 *     {@code <card index>:<slot>}
 * @param profile NVIDIA's profile name, e.g. {@code 1g.5gb}; resources are named after it ({@code nvidia.com/mig-1g.5gb})
 * @param gpuInstanceId the GPU instance, for the {@code nvidia-caps} device nodes
 * @param computeInstanceId the compute instance within it
 * @param memoryBytes its memory
 */
public record MigDevice(
    String uuid,
    int index,
    String profile,
    int gpuInstanceId,
    int computeInstanceId,
    long memoryBytes) {}
