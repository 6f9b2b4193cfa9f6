package io.kubeaccel.core.ledger;

/**
 * One card's share in a grant: {@code cores} in the mode's unit (100 = a whole card), {@code memoryUnits} in the mode's
 * memory unit (256 MiB for vGPU, 1 GiB for MPS). The ledger records shares as the mode decided them and checks no
 * capacity: that is the mode's decision.
 *
 * @param cardUuid the card's NVML UUID, the key the ledger sums by
 * @param cardIndex the card's NVML index when granted (informational: indexes can change across reboots, UUIDs not)
 * @throws NullPointerException if {@code cardUuid} is null
 * @throws IllegalArgumentException if {@code cardUuid} is blank or a number is negative
 */
public record CardShare(String cardUuid, int cardIndex, int cores, long memoryUnits) {

  public CardShare {
    ContainerRef.requireText(cardUuid, "cardUuid");
    if (cardIndex < 0 || cores < 0 || memoryUnits < 0) {
      throw new IllegalArgumentException("card share numbers must not be negative: card " + cardUuid
          + " index " + cardIndex + " cores " + cores + " memoryUnits " + memoryUnits);
    }
  }
}
