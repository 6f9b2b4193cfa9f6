package io.kubeaccel.core.metrics;

import io.kubeaccel.core.kube.NodePods;
import java.util.Optional;

/**
 * Names the container a GPU process runs in. The kubelet's PodResources API carries no pod UIDs and no container
 * IDs, so only the pod objects (their {@code status.containerStatuses[].containerID}) can say which container a cgroup
 * is; an agent without Kubernetes access labels its per-container metrics with the pod UID alone.
 *
 * <p>Called on the metrics sampling thread, once per GPU process per sample: implementations must not call the API
 * server (read a cache) and must not throw.
 */
@FunctionalInterface
public interface ContainerResolver {

  /** The names of {@code container}, or empty when unknown (the metrics then carry only its pod UID). */
  Optional<ContainerName> resolve(CgroupContainer container);

  /** For agents without Kubernetes access: every container is known by its pod UID alone. */
  static ContainerResolver podUidOnly() {
    return container -> Optional.empty();
  }

  /** From the agent's informer cache of this node's pods; no API call per lookup. */
  static ContainerResolver fromPodCache(NodePods pods) {
    return new PodCacheResolver(pods);
  }
}
