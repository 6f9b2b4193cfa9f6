package io.kubeaccel.vgpu;

import io.kubeaccel.core.sharing.SharedCards;
import io.kubeaccel.core.spi.ModePlugin;
import java.util.List;

/** The vGPU mode: {@code tencent.com/vcuda-core} and {@code tencent.com/vcuda-memory}, each on its own socket. */
public final class VgpuMode {

  private VgpuMode() {}

  public static List<ModePlugin> plugins(SharedCards cards, EnforcementBackend backend) {
    return List.of(
        new VcudaPlugin(VgpuOptions.CORE_RESOURCE, cards, backend),
        new VcudaPlugin(VgpuOptions.MEMORY_RESOURCE, cards, backend));
  }
}
