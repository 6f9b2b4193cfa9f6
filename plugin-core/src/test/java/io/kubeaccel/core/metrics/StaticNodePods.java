package io.kubeaccel.core.metrics;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kubeaccel.core.kube.NodePods;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** A pod cache the test fills by hand. */
final class StaticNodePods implements NodePods {

  private final Map<String, Pod> byUid = new ConcurrentHashMap<>();

  /** Adds a running pod whose containers have these runtime IDs (name, containerd ID, name, ID, ...). */
  StaticNodePods pod(String uid, String namespace, String name, String... containerAndIds) {
    List<io.fabric8.kubernetes.api.model.ContainerStatus> statuses = new ArrayList<>();
    for (int i = 0; i < containerAndIds.length; i += 2) {
      statuses.add(new ContainerStatusBuilder()
          .withName(containerAndIds[i])
          .withContainerID("containerd://" + containerAndIds[i + 1])
          .build());
    }
    byUid.put(
        uid,
        new PodBuilder()
            .withNewMetadata()
            .withUid(uid)
            .withNamespace(namespace)
            .withName(name)
            .endMetadata()
            .withNewSpec()
            .withNodeName("node-a")
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .withContainerStatuses(statuses)
            .endStatus()
            .build());
    return this;
  }

  @Override
  public List<Pod> pods() {
    return List.copyOf(byUid.values());
  }

  @Override
  public Optional<Pod> byUid(String uid) {
    return Optional.ofNullable(byUid.get(uid));
  }

  @Override
  public boolean hasSynced() {
    return true;
  }

  @Override
  public boolean awaitSynced(Duration timeout) {
    return true;
  }

  @Override
  public AutoCloseable onChange(Consumer<Pod> listener) {
    return () -> {};
  }

  @Override
  public AutoCloseable onGone(Consumer<Pod> listener) {
    return () -> {};
  }
}
