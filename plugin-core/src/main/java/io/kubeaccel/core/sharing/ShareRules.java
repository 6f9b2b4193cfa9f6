package io.kubeaccel.core.sharing;

import io.kubeaccel.core.spi.InvalidRequestException;

/**
 * GPU-Manager's request rules, checked before any state changes: fewer than 100 cores share one card and need memory
 * too; 100 or more must be a multiple of 100 and get whole cards; memory must fit one card; memory alone is no
 * request.
 */
final class ShareRules {

  private ShareRules() {}

  /**
   * Checks what can be checked from one resource's amount alone, before the container is known.
   *
   * @throws InvalidRequestException naming the resource and the amount
   */
  static void checkAmount(ShareFamily family, String resource, long amount, CardPool pool) {
    if (resource.equals(family.coreResource())) {
      // A family without whole cards still takes 100 (all of one card's compute), never more.
      if (amount > ShareFamily.CARD_CORES && !family.wholeCards()) {
        throw new InvalidRequestException(
            resource + " " + amount + " is invalid: at most 100 (one card) in this mode");
      }
      if (amount > ShareFamily.CARD_CORES && amount % ShareFamily.CARD_CORES != 0) {
        throw new InvalidRequestException(
            resource + " " + amount + " is invalid: above 100 it must be a multiple of 100");
      }
      if (amount / ShareFamily.CARD_CORES > pool.cards().size()) {
        throw new InvalidRequestException(resource + " " + amount + " is invalid: the node has "
            + pool.cards().size() + " GPU(s)");
      }
    } else if (amount > pool.largestCardMemoryUnits()) {
      throw new InvalidRequestException(
          resource + " " + amount + " is invalid: more than one GPU's "
              + pool.largestCardMemoryUnits() + " units; memory must fit on one card");
    }
  }

  /**
   * Checks a container's whole demand.
   *
   * @throws InvalidRequestException naming the container and the rule it breaks
   */
  static void checkDemand(ShareFamily family, ContainerDemand demand, CardPool pool) {
    String who =
        demand.pod().namespace() + "/" + demand.pod().name() + " container " + demand.container();
    if (demand.cores() == 0) {
      throw new InvalidRequestException(who + " asks " + demand.memoryUnits() + " "
          + family.memoryResource() + " without " + family.coreResource() + "; a share needs both");
    }
    if (demand.cores() < ShareFamily.CARD_CORES && demand.memoryUnits() == 0) {
      throw new InvalidRequestException(
          who + " asks " + demand.cores() + " " + family.coreResource() + " without "
              + family.memoryResource() + "; a share of a card needs both");
    }
    checkAmount(family, family.coreResource(), demand.cores(), pool);
    if (!demand.wholeCards()) {
      checkAmount(family, family.memoryResource(), demand.memoryUnits(), pool);
    }
  }
}
