package io.kubeaccel.pgpu.config;

/** How cards in MIG mode are offered (NVIDIA's {@code --mig-strategy}). */
public enum MigStrategy implements WireEnum {
  /** MIG cards are skipped; other cards are whole {@code nvidia.com/gpu}. */
  NONE("none"),
  /** Every card is in MIG mode with one profile; each MIG device is one {@code nvidia.com/gpu}. */
  SINGLE("single"),
  /** Each MIG profile is its own resource, {@code nvidia.com/mig-<profile>}; non-MIG cards stay whole. */
  MIXED("mixed");

  private final String wireName;

  MigStrategy(String wireName) {
    this.wireName = wireName;
  }

  @Override
  public String wireName() {
    return wireName;
  }
}
