package io.kubeaccel.testkit;

import java.util.Objects;

/**
 * The pod a container belongs to, as the kubelet knows it: its UID (the device manager's key) and the namespace and
 * name the PodResources API reports (that API carries no UID).
 */
public record PodRef(String uid, String namespace, String name) {

  /** @throws IllegalArgumentException if any part is blank */
  public PodRef {
    requireText(uid, "uid");
    requireText(namespace, "namespace");
    requireText(name, "name");
  }

  /** A pod known only by its UID: namespace {@code default}, named after the UID. */
  public static PodRef ofUid(String uid) {
    return new PodRef(uid, "default", uid);
  }

  @Override
  public String toString() {
    return namespace + "/" + name + " (uid " + uid + ")";
  }

  private static void requireText(String value, String what) {
    if (Objects.requireNonNull(value, what).isBlank()) {
      throw new IllegalArgumentException("pod " + what + " must not be blank");
    }
  }
}
