package io.kubeaccel.pgpu.config;

/** How Allocate tells the container runtime which cards to inject (NVIDIA's {@code --device-list-strategy}). */
public enum DeviceListStrategy implements WireEnum {
  /** {@code NVIDIA_VISIBLE_DEVICES=<ids>}. */
  ENVVAR("envvar"),
  /** {@code /dev/null} mounted at {@code /var/run/nvidia-container-devices/<id>}: unprivileged pods cannot forge it. */
  VOLUME_MOUNTS("volume-mounts"),
  /** A {@code cdi.k8s.io/...} annotation naming CDI devices. */
  CDI_ANNOTATIONS("cdi-annotations"),
  /** The CRI {@code cdi_devices} field (Kubernetes 1.28+). */
  CDI_CRI("cdi-cri");

  private final String wireName;

  DeviceListStrategy(String wireName) {
    this.wireName = wireName;
  }

  @Override
  public String wireName() {
    return wireName;
  }
}
