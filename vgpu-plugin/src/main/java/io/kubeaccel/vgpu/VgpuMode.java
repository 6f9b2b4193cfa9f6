package io.kubeaccel.vgpu;

import io.kubeaccel.core.sharing.SharePlugin;
import io.kubeaccel.core.sharing.SharedCards;
import io.kubeaccel.core.spi.ModePlugin;
import java.util.List;

/**
 * The vGPU mode: {@code tencent.com/vcuda-core} and {@code tencent.com/vcuda-memory}, each on its own socket,
 * advertised as {@code <uuid>-vcore-<n>} and {@code <uuid>-vmem-<n>}, enforced by {@code backend}.
 */
public final class VgpuMode {

  private VgpuMode() {}

  public static List<ModePlugin> plugins(SharedCards cards, EnforcementBackend backend) {
    return List.of(
        new SharePlugin(VgpuOptions.CORE_RESOURCE, "vcore", cards, backend::respond),
        new SharePlugin(VgpuOptions.MEMORY_RESOURCE, "vmem", cards, backend::respond));
  }
}
