package io.kubeaccel.core.metrics;

import java.util.Objects;

/**
 * A container as people name it: the labels of the per-container metrics.
 *
 * @param namespace the pod's namespace
 * @param pod the pod's name
 * @param container the container's name; empty when the pod is known but its status does not list the container's ID
 *     yet
 */
public record ContainerName(String namespace, String pod, String container) {

  public ContainerName {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(pod, "pod");
    Objects.requireNonNull(container, "container");
  }
}
