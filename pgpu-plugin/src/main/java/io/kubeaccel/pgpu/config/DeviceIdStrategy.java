package io.kubeaccel.pgpu.config;

/** What identifies a card to the container runtime (NVIDIA's {@code --device-id-strategy}). */
public enum DeviceIdStrategy implements WireEnum {
  UUID("uuid"),
  /** NVML index, {@code <gpu>:<mig>} for MIG devices. */
  INDEX("index");

  private final String wireName;

  DeviceIdStrategy(String wireName) {
    this.wireName = wireName;
  }

  @Override
  public String wireName() {
    return wireName;
  }
}
