package io.kubeaccel.core.kube;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Objects;

/**
 * One incarnation of a pod: the UID tells a pod apart from a later pod of the same namespace and name.
 *
 * @param uid {@code metadata.uid}
 * @param namespace {@code metadata.namespace}
 * @param name {@code metadata.name}
 */
public record PodRef(String uid, String namespace, String name) {

  public PodRef {
    Objects.requireNonNull(uid, "uid");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  /** The reference to {@code pod} as it is now. */
  public static PodRef of(Pod pod) {
    return new PodRef(
        pod.getMetadata().getUid(),
        pod.getMetadata().getNamespace(),
        pod.getMetadata().getName());
  }

  @Override
  public String toString() {
    return namespace + "/" + name + " uid=" + uid;
  }
}
