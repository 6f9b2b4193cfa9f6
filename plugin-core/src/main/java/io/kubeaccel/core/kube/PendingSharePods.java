package io.kubeaccel.core.kube;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pending pods asking for shares of one family, as the simulations and the mode tests put them into an {@link
 * InMemoryNodeApi}: namespace {@code ml}, UID {@code uid-<name>}, bound to one node, created one second apart from
 * 2026-01-01T00:00:00Z in the order they are made (the order the agents match them by).
 */
public final class PendingSharePods {

  /** A container asking {@code cores} and {@code memoryUnits}; a zero amount is left out of its limits. */
  public record Container(String name, int cores, int memoryUnits) {}

  private static final Instant FIRST = Instant.parse("2026-01-01T00:00:00Z");

  private final String node;
  private final String coreResource;
  private final String memoryResource;
  private int created;

  public PendingSharePods(String node, String coreResource, String memoryResource) {
    this.node = node;
    this.coreResource = coreResource;
    this.memoryResource = memoryResource;
  }

  /** The next pod, pending on the node, with {@code containers} in order. */
  public synchronized Pod pod(
      String name, Map<String, String> annotations, List<Container> containers) {
    PodBuilder builder = new PodBuilder()
        .withNewMetadata()
        .withUid("uid-" + name)
        .withNamespace("ml")
        .withName(name)
        .withCreationTimestamp(FIRST.plusSeconds(created++).toString())
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .endSpec()
        .withNewStatus()
        .withPhase("Pending")
        .endStatus();
    for (Container container : containers) {
      Map<String, Quantity> limits = new LinkedHashMap<>();
      if (container.cores() > 0) {
        limits.put(coreResource, new Quantity(Integer.toString(container.cores())));
      }
      if (container.memoryUnits() > 0) {
        limits.put(memoryResource, new Quantity(Integer.toString(container.memoryUnits())));
      }
      builder
          .editSpec()
          .addToContainers(new ContainerBuilder()
              .withName(container.name())
              .withNewResources()
              .withLimits(limits)
              .endResources()
              .build())
          .endSpec();
    }
    return builder.build();
  }
}
