package io.kubeaccel.pgpu;

/**
 * Options of the whole-card mode, named as in NVIDIA's device plugin.
 *
 * @param passDeviceSpecs hand the kubelet the device nodes of the allocated cards and the control nodes, so the
 *     container keeps them even when the container runtime's device cgroup is rebuilt (e.g. after systemd
 *     daemon-reload)
 * @param deviceIdStrategy what NVIDIA_VISIBLE_DEVICES carries: card UUIDs or NVML indexes
 */
public record WholeCardOptions(boolean passDeviceSpecs, DeviceIdStrategy deviceIdStrategy) {

  /** NVIDIA's defaults: no device specs, UUIDs. */
  public static WholeCardOptions defaults() {
    return new WholeCardOptions(false, DeviceIdStrategy.UUID);
  }

  /** What identifies a card to the container runtime. */
  public enum DeviceIdStrategy {
    UUID("uuid"),
    INDEX("index");

    private final String wireName;

    DeviceIdStrategy(String wireName) {
      this.wireName = wireName;
    }

    /** The spelling used by flags, env vars and config files. */
    public String wireName() {
      return wireName;
    }

    /**
     * Parses the spelling used by flags, env vars and config files.
     *
     * @throws IllegalArgumentException naming the allowed values
     */
    public static DeviceIdStrategy parse(String value) {
      for (DeviceIdStrategy strategy : values()) {
        if (strategy.wireName.equals(value)) {
          return strategy;
        }
      }
      throw new IllegalArgumentException(
          "device ID strategy \"" + value + "\" is not one of: uuid, index");
    }
  }
}
