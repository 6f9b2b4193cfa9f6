package io.kubeaccel.vgpu;

import io.kubeaccel.core.sharing.PlacementPolicy;
import io.kubeaccel.core.sharing.ShareFamily;
import java.nio.file.Path;

/**
 * Settings of the vGPU mode.
 *
 * @param coreFactor oversubscription of cores: each card advertises {@code 100 * coreFactor} vcuda-core
 * @param memoryFactor oversubscription of memory: each card advertises {@code memory / 256 MiB * memoryFactor} units
 * @param placement the card for a share the scheduler extender did not choose
 * @param hookPath the host directory holding HAMi-core's interception library ({@code libvgpu.so}) and {@code
 *     ld.so.preload}; per-container cache directories are made under {@code <hookPath>/containers}. The agent sees
 *     it at the same path.
 */
public record VgpuOptions(
    double coreFactor, double memoryFactor, PlacementPolicy placement, Path hookPath) {

  /** GPU-Manager's resource of compute: 100 = one card. */
  public static final String CORE_RESOURCE = "tencent.com/vcuda-core";

  /** GPU-Manager's resource of memory, in 256 MiB units. */
  public static final String MEMORY_RESOURCE = "tencent.com/vcuda-memory";

  /** Bytes of one vcuda-memory unit. */
  public static final long MEMORY_UNIT = 256L << 20;

  /** Where HAMi installs its hook on the host by default. */
  public static final Path DEFAULT_HOOK_PATH = Path.of("/usr/local/vgpu");

  public static VgpuOptions defaults() {
    return new VgpuOptions(1.0, 1.0, PlacementPolicy.BINPACK, DEFAULT_HOOK_PATH);
  }

  /** The resource family: GPU-Manager's names and annotations, whole cards allowed. */
  public ShareFamily family() {
    return new ShareFamily(
        "vgpu",
        CORE_RESOURCE,
        MEMORY_RESOURCE,
        MEMORY_UNIT,
        "tencent.com/",
        coreFactor,
        memoryFactor,
        true);
  }
}
