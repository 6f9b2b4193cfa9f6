package io.kubeaccel.vgpu;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.kube.NodeEvents;
import io.kubeaccel.core.sharing.SharePlugin;
import io.kubeaccel.core.sharing.SharedCards;
import io.kubeaccel.core.spi.ModePlugin;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vGPU mode: {@code tencent.com/vcuda-core} and {@code tencent.com/vcuda-memory}, each on its own socket,
 * advertised as {@code <uuid>-vcore-<n>} and {@code <uuid>-vmem-<n>}, enforced by {@code backend}.
 */
public final class VgpuMode {

  private static final Logger log = LoggerFactory.getLogger(VgpuMode.class);

  private VgpuMode() {}

  /**
   * Logs, and reports on the Node as Warning {@code VgpuGpuRefused}, each card in MIG mode of {@code inventory} that
   * {@code reported} does not hold yet: vGPU shares no MIG-enabled card, so it is not advertised.
   */
  public static void reportMigCards(Inventory inventory, NodeEvents events, Set<String> reported) {
    for (Gpu gpu : inventory.gpus()) {
      if (gpu.mig() == Gpu.MigState.ENABLED && reported.add(gpu.uuid())) {
        String message =
            "GPU " + gpu.index() + " (" + gpu.model() + ") is in MIG mode; vGPU needs MIG"
                + " disabled (nvidia-smi -i " + gpu.index()
                + " -mig 0), or serve its MIG devices with the"
                + " pgpu mode. It is not advertised.";
        log.warn("GPU not served by vGPU gpu={} reason=\"{}\"", gpu.uuid(), message);
        events.warning("VgpuGpuRefused", message);
      }
    }
  }

  public static List<ModePlugin> plugins(SharedCards cards, EnforcementBackend backend) {
    return List.of(
        new SharePlugin(VgpuOptions.CORE_RESOURCE, "vcore", cards, backend::respond),
        new SharePlugin(VgpuOptions.MEMORY_RESOURCE, "vmem", cards, backend::respond));
  }
}
