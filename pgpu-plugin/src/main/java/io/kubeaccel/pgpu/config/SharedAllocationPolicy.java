package io.kubeaccel.pgpu.config;

/** Which replicas of time-sliced cards a container should get (NVIDIA's {@code sharedDevicesAllocationPolicy}). */
public enum SharedAllocationPolicy implements WireEnum {
  /** Spread containers over cards: replicas of the least-used card first. */
  DISTRIBUTED("distributed"),
  /** Fill one card before the next: replicas of the most-used card that still has free ones first. */
  PACKED("packed");

  private final String wireName;

  SharedAllocationPolicy(String wireName) {
    this.wireName = wireName;
  }

  @Override
  public String wireName() {
    return wireName;
  }
}
