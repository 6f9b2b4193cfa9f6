package io.kubeaccel.nvml.fake;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One MIG device (a compute instance in a GPU instance) of a {@link FakeGpu} in MIG mode: what {@code
 * nvmlDeviceGetAttributes_v2}, {@code nvmlDeviceGetGpuInstanceId} and the other MIG calls report for it. Its name is
 * {@code "<GPU name> MIG <profile>"}.
 *
 * @param uuid {@code MIG-} followed by a UUID
 * @param profile NVIDIA's profile name, {@code [<c>c.]<g>g.<gb>gb} with an optional {@code +me}
 * @param gpuInstanceId unique with {@code computeInstanceId} on its GPU
 * @param memoryMiB its memory ({@code memorySizeMB}, {@code nvmlDeviceGetMemoryInfo}); {@code usedMiB} of it used
 * @param processes its compute processes
 */
public record FakeMigDevice(
    String uuid,
    String profile,
    int gpuInstanceId,
    int computeInstanceId,
    long memoryMiB,
    long usedMiB,
    int multiprocessorCount,
    int gpuInstanceSliceCount,
    int computeInstanceSliceCount,
    int sharedCopyEngineCount,
    int sharedDecoderCount,
    int sharedEncoderCount,
    int sharedJpegCount,
    int sharedOfaCount,
    List<FakeProcess> processes) {

  private static final Pattern PROFILE =
      Pattern.compile("(?:(\\d{1,2})c\\.)?(\\d+)g\\.(\\d+)gb((?:[+-][a-z0-9.]+(?:,[a-z0-9.]+)*)?)");
  /** GPU instance ids an A100 hands out per slice count, tried in order; the fake's defaults follow them. */
  private static final int[][] GPU_INSTANCE_IDS = {
    {}, {7, 8, 9, 10, 11, 12, 13, 14}, {3, 4, 5}, {1, 2}, {1}, {}, {}, {0}, {}
  };

  public FakeMigDevice {
    Objects.requireNonNull(profile, "profile");
    processes = List.copyOf(processes);
    if (uuid == null || !uuid.startsWith("MIG-") || uuid.length() > 80 || uuid.contains(" ")) {
      throw new IllegalArgumentException("a MIG device's uuid is MIG-<uuid>: " + uuid);
    }
    slicesAndMemory(profile); // throws for a name the fake library would refuse
    if (gpuInstanceId < 0
        || gpuInstanceId > 1023
        || computeInstanceId < 0
        || computeInstanceId > 1023) {
      throw new IllegalArgumentException("instance ids must be 0..1023: " + uuid);
    }
    if (memoryMiB < 1 || usedMiB < 0 || usedMiB > memoryMiB || multiprocessorCount < 1) {
      throw new IllegalArgumentException(
          "memory and multiprocessors must be positive, usedMiB <= memoryMiB: " + uuid);
    }
    if (gpuInstanceSliceCount < 1
        || gpuInstanceSliceCount > 8
        || computeInstanceSliceCount < 1
        || computeInstanceSliceCount > gpuInstanceSliceCount) {
      throw new IllegalArgumentException(
          "slices must be 1 <= compute <= gpu instance <= 8: " + uuid);
    }
    if (processes.stream().map(FakeProcess::pid).distinct().count() != processes.size()) {
      throw new IllegalArgumentException("a pid is listed twice on " + uuid);
    }
  }

  /**
   * A MIG device of {@code profile} in slot {@code slot} of {@code gpu}, with the values the fake library derives when
   * an inventory gives only the profile (native-nvml/README.md, inventory format): memory in eighths of the GPU's
   * less 5%, SMs and engines as an A100 (SMs as an H100 on compute capability 9), no processes. {@code existing} are
   * the GPU's MIG devices in the slots before: the GPU instance id is the first A100 one for the slice count that they
   * do not use.
   */
  public static FakeMigDevice of(
      FakeGpu gpu, int slot, String profile, List<FakeMigDevice> existing) {
    int[] parsed = slicesAndMemory(profile);
    int computeSlices = parsed[0];
    int gpuSlices = parsed[1];
    int memoryGb = parsed[2];
    boolean media = parsed[3] == 1;
    int decoders = new int[] {0, 0, 1, 2, 2, 2, 4, 5, 5}[gpuSlices];
    return new FakeMigDevice(
        "MIG-"
            + UUID.nameUUIDFromBytes(
                (gpu.uuid() + "/mig/" + slot).getBytes(StandardCharsets.UTF_8)),
        profile,
        defaultGpuInstanceId(gpuSlices, slot, existing),
        0,
        defaultMemoryMiB(memoryGb, gpu.memoryMiB()),
        0,
        gpu.computeCapability().major() >= 9
            ? new int[] {0, 16, 32, 60, 64, 78, 96, 132, 132}[computeSlices]
            : 14 * computeSlices,
        gpuSlices,
        computeSlices,
        gpuSlices,
        media && decoders == 0 ? 1 : decoders,
        0,
        media || gpuSlices == 7 ? 1 : 0,
        media || gpuSlices == 7 ? 1 : 0,
        List.of());
  }

  /**
   * {compute slices, GPU instance slices, GB, 1 if "+me"} of a profile name, as the fake library reads it.
   *
   * @throws IllegalArgumentException for a name the library would refuse
   */
  private static int[] slicesAndMemory(String profile) {
    Matcher m = PROFILE.matcher(profile);
    if (!m.matches() || m.group(2).length() > 1 || m.group(3).length() > 5) {
      throw new IllegalArgumentException("profile must look like 1g.5gb or 1c.3g.20gb: " + profile);
    }
    int gpuSlices = Integer.parseInt(m.group(2));
    int computeSlices = m.group(1) == null ? gpuSlices : Integer.parseInt(m.group(1));
    int memoryGb = Integer.parseInt(m.group(3));
    if (gpuSlices < 1
        || gpuSlices > 8
        || computeSlices < 1
        || computeSlices > gpuSlices
        || memoryGb < 1) {
      throw new IllegalArgumentException(
          "a profile has 1 <= compute slices <= GPU instance slices <= 8 and 1 GB or more: "
              + profile);
    }
    boolean media = m.group(4).equals("+me") || m.group(4).startsWith("+me,");
    return new int[] {computeSlices, gpuSlices, memoryGb, media ? 1 : 0};
  }

  /** The MiB of a {@code memoryGb} profile on a GPU of {@code gpuMemoryMiB}: whole eighths of it, less 5%. */
  static long defaultMemoryMiB(int memoryGb, long gpuMemoryMiB) {
    long gpuGb = (gpuMemoryMiB + 1023) / 1024;
    long eighths = gpuGb == 0 ? 1 : (memoryGb * 16L + gpuGb) / (2 * gpuGb);
    eighths = Math.max(1, Math.min(8, eighths));
    return gpuMemoryMiB * eighths / 8 * 95 / 100;
  }

  private static int defaultGpuInstanceId(int gpuSlices, int slot, List<FakeMigDevice> existing) {
    for (int id : GPU_INSTANCE_IDS[gpuSlices]) {
      if (existing.stream().noneMatch(d -> d.gpuInstanceId() == id)) {
        return id;
      }
    }
    for (int id = slot + 1; ; id++) {
      int candidate = id;
      if (existing.stream().noneMatch(d -> d.gpuInstanceId() == candidate)) {
        return id;
      }
    }
  }

  /** This device with {@code processes} running on it. */
  public FakeMigDevice withProcesses(List<FakeProcess> processes) {
    return new FakeMigDevice(
        uuid,
        profile,
        gpuInstanceId,
        computeInstanceId,
        memoryMiB,
        usedMiB,
        multiprocessorCount,
        gpuInstanceSliceCount,
        computeInstanceSliceCount,
        sharedCopyEngineCount,
        sharedDecoderCount,
        sharedEncoderCount,
        sharedJpegCount,
        sharedOfaCount,
        processes);
  }
}
