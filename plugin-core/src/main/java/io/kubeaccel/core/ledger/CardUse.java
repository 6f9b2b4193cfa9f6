package io.kubeaccel.core.ledger;

/**
 * How much of one card the ledger's grants hold together: the sums of their {@link CardShare#cores()} and {@link
 * CardShare#memoryUnits()}, how many containers hold a share of it, and whether any of them holds it exclusively.
 */
public record CardUse(int cores, long memoryUnits, int containers, boolean exclusive) {

  static final CardUse NONE = new CardUse(0, 0, 0, false);

  CardUse plus(CardShare share, boolean exclusiveGrant) {
    return new CardUse(
        Math.addExact(cores, share.cores()),
        Math.addExact(memoryUnits, share.memoryUnits()),
        containers + 1,
        exclusive || exclusiveGrant);
  }
}
