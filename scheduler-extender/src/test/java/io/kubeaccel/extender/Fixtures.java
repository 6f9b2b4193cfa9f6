package io.kubeaccel.extender;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kubeaccel.core.sharing.CapacityPublisher;
import io.kubeaccel.core.sharing.ShareFamily;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import tools.jackson.databind.json.JsonMapper;

/** Nodes publishing cards, pods asking shares, and waiting for conditions. */
final class Fixtures {

  static final Duration WAIT = Duration.ofSeconds(10);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private Fixtures() {}

  /** A card as the agents publish it: {@code cores}/{@code memoryUnits} capacity, some of it used. */
  record Card(
      int index, String model, int cores, long memoryUnits, int usedCores, long usedMemory) {
    static Card free(int index, String model) {
      return new Card(index, model, 100, 64, 0, 0);
    }

    static Card used(int index, int usedCores, long usedMemory) {
      return new Card(index, "Tesla T4", 100, 64, usedCores, usedMemory);
    }
  }

  /** The annotation value of {@code cards} for {@code family}, shaped exactly as CapacityPublisher writes it. */
  static String annotation(ShareFamily family, List<Card> cards) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Card card : cards) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("uuid", "GPU-" + card.index() + "-" + card.model().hashCode());
      m.put("index", card.index());
      m.put("model", card.model());
      m.put("memoryMiB", 16384);
      m.put("numa", 0);
      m.put("health", "Healthy");
      m.put("mode", family.name());
      m.put("mig", false);
      m.put("coreResource", family.coreResource());
      m.put("memoryResource", family.memoryResource());
      m.put("cores", card.cores());
      m.put("memoryUnits", card.memoryUnits());
      m.put("usedCores", card.usedCores());
      m.put("usedMemoryUnits", card.usedMemory());
      m.put("containers", card.usedCores() > 0 ? 1 : 0);
      m.put("exclusive", false);
      out.add(m);
    }
    return JSON.writeValueAsString(out);
  }

  static Node node(String name, ShareFamily family, Card... cards) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .withUid("node-uid-" + name)
        .withResourceVersion("1")
        .withAnnotations(Map.of(CapacityPublisher.ANNOTATION, annotation(family, List.of(cards))))
        .endMetadata()
        .build();
  }

  static Node plainNode(String name) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .withUid("node-uid-" + name)
        .withResourceVersion("1")
        .endMetadata()
        .build();
  }

  /** A pending, unbound pod whose containers ask {cores, memory} of {@code family}. */
  static Pod pod(String name, ShareFamily family, int[]... containers) {
    return pod(name, family, Map.of(), containers);
  }

  static Pod pod(
      String name, ShareFamily family, Map<String, String> annotations, int[]... containers) {
    PodBuilder pod = new PodBuilder()
        .withNewMetadata()
        .withNamespace("ml")
        .withName(name)
        .withUid("uid-" + name)
        .withAnnotations(annotations.isEmpty() ? null : new HashMap<>(annotations))
        .endMetadata()
        .withNewSpec()
        .endSpec()
        .withNewStatus()
        .withPhase("Pending")
        .endStatus();
    for (int i = 0; i < containers.length; i++) {
      Map<String, Quantity> limits = new HashMap<>();
      if (containers[i][0] > 0) {
        limits.put(family.coreResource(), new Quantity(Integer.toString(containers[i][0])));
      }
      if (containers[i].length > 1 && containers[i][1] > 0) {
        limits.put(family.memoryResource(), new Quantity(Integer.toString(containers[i][1])));
      }
      pod.editSpec()
          .addToContainers(new ContainerBuilder()
              .withName("c" + i)
              .withImage("cuda:12")
              .withNewResources()
              .withLimits(limits)
              .endResources()
              .build())
          .endSpec();
    }
    return pod.build();
  }

  /** {@code pod} bound to {@code node}. */
  static Pod bound(Pod pod, String node) {
    return new PodBuilder(pod).editSpec().withNodeName(node).endSpec().build();
  }

  /** {@code pod} with {@code annotations} added. */
  static Pod annotated(Pod pod, Map<String, String> annotations) {
    Map<String, String> all = new HashMap<>(
        pod.getMetadata().getAnnotations() == null
            ? Map.of()
            : pod.getMetadata().getAnnotations());
    all.putAll(annotations);
    return new PodBuilder(pod).editMetadata().withAnnotations(all).endMetadata().build();
  }

  /** Polls {@code condition} until it holds or {@code timeout} passes. */
  static boolean await(BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      LockSupport.parkNanos(2_000_000);
    }
    return true;
  }
}
