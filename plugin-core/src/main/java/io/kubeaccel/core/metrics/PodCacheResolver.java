package io.kubeaccel.core.metrics;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.kubeaccel.core.kube.NodePods;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/** Pod UID to pod through the informer's UID index, container ID to name through the pod's container statuses. */
final class PodCacheResolver implements ContainerResolver {

  private final NodePods pods;

  PodCacheResolver(NodePods pods) {
    this.pods = Objects.requireNonNull(pods, "pods");
  }

  @Override
  public Optional<ContainerName> resolve(CgroupContainer container) {
    return pods.byUid(container.podUid())
        .map(pod -> new ContainerName(
            pod.getMetadata().getNamespace(),
            pod.getMetadata().getName(),
            containerName(pod, container.containerId()).orElse("")));
  }

  private static Optional<String> containerName(Pod pod, String containerId) {
    PodStatus status = pod.getStatus();
    if (status == null || containerId.isEmpty()) {
      return Optional.empty();
    }
    return Stream.of(
            status.getContainerStatuses(),
            status.getInitContainerStatuses(),
            status.getEphemeralContainerStatuses())
        .filter(Objects::nonNull)
        .flatMap(List::stream)
        .filter(candidate -> containerId.equals(runtimeId(candidate)))
        .map(ContainerStatus::getName)
        .findFirst();
  }

  /** {@code containerd://<id>} (or {@code cri-o://}, {@code docker://}) without its scheme. */
  private static String runtimeId(ContainerStatus status) {
    String id = status.getContainerID();
    if (id == null) {
      return "";
    }
    int scheme = id.indexOf("://");
    return scheme < 0 ? id : id.substring(scheme + 3);
  }
}
