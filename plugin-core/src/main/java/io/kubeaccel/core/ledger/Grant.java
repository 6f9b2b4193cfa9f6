package io.kubeaccel.core.ledger;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What one container holds: its share of one or more cards, granted by one resource family.
 *
 * @param container the container holding the shares
 * @param family which resource family granted them: {@value #VGPU} ({@code tencent.com/vcuda-*}) or {@value #MPS}
 *     ({@code nvidia.com/mps-*}); the units of the shares are that family's
 * @param shares one entry per card, at least one, no card twice (copied, immutable)
 * @param exclusive whether the container holds its cards whole (requests of 100 cores or more)
 * @param grantedAt when the mode granted them
 * @throws NullPointerException if a component or share is null
 * @throws IllegalArgumentException if the family is unknown, there are no shares, or a card appears twice
 */
public record Grant(
    ContainerRef container,
    String family,
    List<CardShare> shares,
    boolean exclusive,
    Instant grantedAt) {

  /** The family of {@code tencent.com/vcuda-core} and {@code tencent.com/vcuda-memory}. */
  public static final String VGPU = "vgpu";

  /** The family of {@code nvidia.com/mps-core} and {@code nvidia.com/mps-memory}. */
  public static final String MPS = "mps";

  public Grant {
    Objects.requireNonNull(container, "container");
    Objects.requireNonNull(family, "family");
    if (!family.equals(VGPU) && !family.equals(MPS)) {
      throw new IllegalArgumentException(
          "grant family must be \"" + VGPU + "\" or \"" + MPS + "\", got \"" + family + "\"");
    }
    shares = List.copyOf(shares);
    if (shares.isEmpty()) {
      throw new IllegalArgumentException("a grant needs at least one card share: " + container);
    }
    Set<String> cards = new HashSet<>();
    for (CardShare share : shares) {
      if (!cards.add(share.cardUuid())) {
        throw new IllegalArgumentException(
            "card " + share.cardUuid() + " appears twice in the grant of " + container);
      }
    }
    Objects.requireNonNull(grantedAt, "grantedAt");
  }

  /** Whether this grant holds a share of the card with {@code cardUuid}. */
  public boolean holdsCard(String cardUuid) {
    return shares.stream().anyMatch(share -> share.cardUuid().equals(cardUuid));
  }
}
