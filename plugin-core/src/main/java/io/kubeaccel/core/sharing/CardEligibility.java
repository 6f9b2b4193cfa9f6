package io.kubeaccel.core.sharing;

import io.kubeaccel.core.inventory.DriverInfo;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Health;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.Topology;
import io.kubeaccel.nvml.TopologyLevel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which cards of a node a share mode may hand out at all, e.g. MPS needs Volta or newer and a recent enough driver.
 * Cards it refuses are neither advertised, nor placed, nor published in the capacity annotation. Cards in MIG mode are
 * never shared, whatever the mode says.
 */
@FunctionalInterface
public interface CardEligibility {

  /** Every card (but MIG-enabled ones, which no share mode serves). */
  CardEligibility ANY = (gpu, driver) -> true;

  /** Whether {@code gpu}, on a node whose driver is {@code driver}, may hold shares of this mode. */
  boolean eligible(Gpu gpu, DriverInfo driver);

  /**
   * {@code inventory} with only its eligible cards, their topology and their health, same generation; {@code
   * inventory} itself when every card is eligible.
   */
  default Inventory restrict(Inventory inventory) {
    List<Integer> kept = new ArrayList<>();
    for (int position = 0; position < inventory.gpus().size(); position++) {
      if (eligible(inventory.gpus().get(position), inventory.driver())) {
        kept.add(position);
      }
    }
    if (kept.size() == inventory.gpus().size()) {
      return inventory;
    }
    int n = kept.size();
    TopologyLevel[][] pcie = new TopologyLevel[n][n];
    int[][] nvlinks = new int[n][n];
    List<Gpu> gpus = new ArrayList<>(n);
    Map<String, Health> health = new HashMap<>();
    for (int i = 0; i < n; i++) {
      Gpu gpu = inventory.gpus().get(kept.get(i));
      gpus.add(gpu);
      health.put(gpu.uuid(), inventory.health(gpu.uuid()));
      for (int j = 0; j < n; j++) {
        pcie[i][j] = inventory.topology().pcie(kept.get(i), kept.get(j));
        nvlinks[i][j] = i == j ? 0 : inventory.topology().nvlinks(kept.get(i), kept.get(j));
      }
    }
    return new Inventory(
        inventory.generation(),
        gpus,
        new Topology(pcie, nvlinks),
        health,
        inventory.driver(),
        inventory.unavailableReason());
  }
}
