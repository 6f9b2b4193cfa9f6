package io.kubeaccel.core.metrics;

import java.util.Objects;

/**
 * The Kubernetes container a process runs in, as its cgroup path tells: the pod's UID and the container runtime's ID
 * of the container.
 *
 * @param podUid {@code metadata.uid} of the pod, with dashes ({@code 2c7b3f0e-...}), lower case
 * @param containerId the runtime's container ID (64 hex digits for containerd, CRI-O and Docker), without the {@code
 *     containerd://} prefix the pod status adds; empty when the path names the pod but no container
 */
public record CgroupContainer(String podUid, String containerId) {

  public CgroupContainer {
    Objects.requireNonNull(podUid, "podUid");
    Objects.requireNonNull(containerId, "containerId");
  }
}
