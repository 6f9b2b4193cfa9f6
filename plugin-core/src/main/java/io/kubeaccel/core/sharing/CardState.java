package io.kubeaccel.core.sharing;

import io.kubeaccel.core.inventory.Gpu;

/**
 * One card as the share placement sees it: capacity after oversubscription, what is granted, and whether it can take
 * more.
 *
 * @param gpu the card
 * @param position its position in the inventory's topology
 * @param cores core units it advertises
 * @param memoryUnits memory units it advertises
 * @param usedCores core units granted
 * @param usedMemoryUnits memory units granted
 * @param exclusive whether a container holds it whole
 * @param healthy whether it may be handed out
 */
public record CardState(
    Gpu gpu,
    int position,
    int cores,
    long memoryUnits,
    int usedCores,
    long usedMemoryUnits,
    boolean exclusive,
    boolean healthy) {

  public int freeCores() {
    return exclusive ? 0 : cores - usedCores;
  }

  public long freeMemoryUnits() {
    return exclusive ? 0 : memoryUnits - usedMemoryUnits;
  }

  /** Whether nothing is granted on it. */
  public boolean idle() {
    return !exclusive && usedCores == 0 && usedMemoryUnits == 0;
  }

  /** Whether a share of {@code cores} and {@code memory} fits. */
  public boolean fits(int cores, long memory) {
    return healthy && freeCores() >= cores && freeMemoryUnits() >= memory;
  }
}
