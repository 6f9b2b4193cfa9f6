package io.kubeaccel.core.sharing;

/** How the agent picks a card for a share when the scheduler extender did not choose one. */
public enum PlacementPolicy {
  /** The fitting card with the least free cores: keeps whole cards free for large requests. */
  BINPACK("binpack"),
  /** The fitting card with the most free cores: spreads load. */
  SPREAD("spread");

  private final String wireName;

  PlacementPolicy(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /**
   * Parses {@code binpack} or {@code spread}.
   *
   * @throws IllegalArgumentException naming the allowed values
   */
  public static PlacementPolicy parse(String value) {
    for (PlacementPolicy policy : values()) {
      if (policy.wireName.equals(value)) {
        return policy;
      }
    }
    throw new IllegalArgumentException("\"" + value + "\" is not one of: binpack, spread");
  }
}
