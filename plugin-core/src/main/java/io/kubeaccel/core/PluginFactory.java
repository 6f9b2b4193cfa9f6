package io.kubeaccel.core;

import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.spi.ModePlugin;
import java.util.List;

/**
 * Makes a mode's plugins for the cards of a node: which resources are served can depend on the cards (MIG profiles,
 * time-sliced cards renamed to a resource of their own). Called once at start with the first inventory, which is empty
 * when NVML did not answer.
 */
@FunctionalInterface
public interface PluginFactory {

  /**
   * The plugins for {@code inventory}.
   *
   * @throws IllegalArgumentException when the mode's configuration cannot apply to these cards; the agent does not
   *     start
   */
  List<ModePlugin> create(Inventory inventory);
}
