package io.kubeaccel.core.metrics;

import io.kubeaccel.core.ledger.PodResourcesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What a mode knows about the containers on its node, for the per-container metrics.
 *
 * @param containers names the container of a GPU process
 * @param holders says which containers hold which cards; closed with the metrics
 */
public record MetricsSources(ContainerResolver containers, CardHolders holders) {

  private static final Duration POD_RESOURCES_TIMEOUT = Duration.ofSeconds(2);

  public MetricsSources {
    Objects.requireNonNull(containers, "containers");
    Objects.requireNonNull(holders, "holders");
  }

  /**
   * For an agent without Kubernetes access: containers by pod UID, holders from the kubelet's PodResources API on
   * {@code podResourcesSocket}.
   */
  public static MetricsSources withoutKubernetes(Path podResourcesSocket) {
    return new MetricsSources(
        ContainerResolver.podUidOnly(),
        CardHolders.fromPodResources(podResourcesSocket, POD_RESOURCES_TIMEOUT));
  }

  /**
   * Like {@link #withoutKubernetes(Path)}, asking PodResources through {@code podResources}, a client the caller
   * owns and closes (the agent's one: a second client would be a second event-loop thread and channel).
   */
  public static MetricsSources withoutKubernetes(PodResourcesClient podResources) {
    return new MetricsSources(
        ContainerResolver.podUidOnly(), CardHolders.fromPodResources(podResources));
  }
}
