package io.kubeaccel.core.sharing;

import io.kubeaccel.core.kube.PodRef;

/**
 * What one container of a pod asks of a {@link ShareFamily}: its limits of the core and memory resources.
 *
 * @param pod the pod
 * @param container the container's name
 * @param index the container's position among the pod's containers (the extender's annotations are keyed by it)
 * @param cores core units (100 = a card)
 * @param memoryUnits memory units
 */
public record ContainerDemand(
    PodRef pod, String container, int index, int cores, long memoryUnits) {

  /** Whether the container asks for whole cards (exclusively) rather than a share of one. */
  public boolean wholeCards() {
    return cores >= ShareFamily.CARD_CORES;
  }

  /** How many whole cards. */
  public int cardCount() {
    return cores / ShareFamily.CARD_CORES;
  }

  /** The amount of {@code resource} this container asks for. */
  public long amountOf(ShareFamily family, String resource) {
    return resource.equals(family.coreResource()) ? cores : memoryUnits;
  }
}
