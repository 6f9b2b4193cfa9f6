package io.kubeaccel.nvml;

/**
 * What a MIG device consists of ({@code nvmlDeviceAttributes_t}, from {@code nvmlDeviceGetAttributes_v2}).
 *
 * @param multiprocessorCount streaming multiprocessors of its compute instance
 * @param sharedCopyEngineCount copy engines of its GPU instance
 * @param sharedDecoderCount video decoders of its GPU instance
 * @param sharedEncoderCount video encoders of its GPU instance
 * @param sharedJpegCount JPEG decoders of its GPU instance
 * @param sharedOfaCount optical flow accelerators of its GPU instance
 * @param gpuInstanceSliceCount GPU slices of its GPU instance (the {@code g} of {@code 3g.20gb})
 * @param computeInstanceSliceCount GPU slices of its compute instance (the {@code c} of {@code 1c.3g.20gb})
 * @param memorySizeMiB its memory in MiB (NVML calls the field {@code memorySizeMB})
 */
public record MigAttributes(
    int multiprocessorCount,
    int sharedCopyEngineCount,
    int sharedDecoderCount,
    int sharedEncoderCount,
    int sharedJpegCount,
    int sharedOfaCount,
    int gpuInstanceSliceCount,
    int computeInstanceSliceCount,
    long memorySizeMiB) {}
