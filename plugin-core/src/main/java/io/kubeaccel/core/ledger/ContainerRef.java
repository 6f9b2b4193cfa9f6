package io.kubeaccel.core.ledger;

import java.util.Objects;

/**
 * The container a grant belongs to: the pod's UID (what the agent learns at Allocate time) plus the namespace, pod and
 * container names (what the kubelet's PodResources API reports, which carries no UID). Two refs are the same container
 * only if all four parts are equal.
 *
 * @throws NullPointerException if a part is null
 * @throws IllegalArgumentException if a part is blank
 */
public record ContainerRef(String podUid, String namespace, String pod, String container) {

  public ContainerRef {
    requireText(podUid, "podUid");
    requireText(namespace, "namespace");
    requireText(pod, "pod");
    requireText(container, "container");
  }

  /** True when this is the named container, whatever the pod's UID: how PodResources answers are matched. */
  public boolean isNamed(String namespace, String pod, String container) {
    return this.namespace.equals(namespace)
        && this.pod.equals(pod)
        && this.container.equals(container);
  }

  @Override
  public String toString() {
    return namespace + "/" + pod + "/" + container + " (pod uid " + podUid + ")";
  }

  static String requireText(String value, String what) {
    if (Objects.requireNonNull(value, what).isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank");
    }
    return value;
  }
}
