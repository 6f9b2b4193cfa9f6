package io.kubeaccel.pgpu;

import io.kubeaccel.core.inventory.DeviceNodes;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.spi.ModePlugin;
import io.kubeaccel.pgpu.config.MigStrategy;
import io.kubeaccel.pgpu.config.PgpuConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The whole-card mode: the resources a node serves for a configuration, one {@link ModePlugin} each. */
public final class PgpuMode {

  private static final Logger log = LoggerFactory.getLogger(PgpuMode.class);

  private PgpuMode() {}

  /**
   * The plugins for the resources {@code config} makes of the cards in {@code inventory}. A node whose cards are not
   * known yet (NVML not started) serves {@code nvidia.com/gpu} with no devices until they are.
   *
   * @throws io.kubeaccel.pgpu.config.ConfigException when the configuration cannot apply to these cards
   */
  public static List<ModePlugin> plugins(
      PgpuConfig config, DeviceNodes deviceNodes, Inventory inventory) {
    ResourcePlan plan = new ResourcePlan(config);
    ContainerResponder responder = new ContainerResponder(config, deviceNodes);
    Map<String, List<Unit>> units = plan.units(inventory);
    for (Gpu gpu : inventory.gpus()) {
      if (gpu.mig() == Gpu.MigState.ENABLED && config.migStrategy() == MigStrategy.NONE) {
        log.warn(
            "gpu in MIG mode is not offered with mig-strategy none gpu={} index={}",
            gpu.uuid(),
            gpu.index());
      }
    }
    Set<String> names = units.keySet();
    List<ModePlugin> plugins = new ArrayList<>();
    for (String name : names.isEmpty() ? Set.of(GpuResourcePlugin.GPU) : names) {
      plugins.add(new GpuResourcePlugin(name, plan, responder, config));
    }
    return plugins;
  }
}
