package io.kubeaccel.agent;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kubeaccel.core.AgentRuntime;
import io.kubeaccel.core.inventory.DeviceNodes;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.kube.InMemoryNodeApi;
import io.kubeaccel.core.ledger.CardUse;
import io.kubeaccel.core.ledger.Ledger;
import io.kubeaccel.core.ledger.PodResourcesClient;
import io.kubeaccel.core.server.AllocationObserver;
import io.kubeaccel.core.sharing.PlacementPolicy;
import io.kubeaccel.core.sharing.PodResourcesLookup;
import io.kubeaccel.core.sharing.SharedCards;
import io.kubeaccel.testkit.AdmissionException;
import io.kubeaccel.testkit.KubeletStandIn;
import io.kubeaccel.testkit.PodRef;
import io.kubeaccel.testkit.PodResourcesStandIn;
import io.kubeaccel.vgpu.HamiCoreBackend;
import io.kubeaccel.vgpu.VgpuMode;
import io.kubeaccel.vgpu.VgpuOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code simulate --mode vgpu}: the vGPU agent on a simulated node, with the kubelet stand-in (and its PodResources)
 * and an in-memory Kubernetes API holding the pods; shows slices being handed out, the extender's choices honoured,
 * refusals, releases and a restart.
 */
final class VgpuSimulation implements AutoCloseable {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String CORE = VgpuOptions.CORE_RESOURCE;
  private static final String MEMORY = VgpuOptions.MEMORY_RESOURCE;

  private final PrintWriter out;
  private final SimulatedNode node;
  private final KubeletStandIn kubelet;
  private final PodResourcesStandIn podResources;
  private final InMemoryNodeApi api = new InMemoryNodeApi();
  private final VgpuOptions options;
  private PodResourcesClient client;
  private SharedCards cards;
  private AgentRuntime agent;
  private int created;

  VgpuSimulation(PrintWriter out, SimulatedNode node, PlacementPolicy placement)
      throws IOException {
    this.out = out;
    this.node = node;
    this.kubelet = KubeletStandIn.start(node.deviceDir());
    this.podResources =
        PodResourcesStandIn.start(node.root().resolve("pod-resources.sock"), kubelet);
    this.options = new VgpuOptions(1, 1, placement, node.root().resolve("hook"));
  }

  void run() throws IOException {
    startAgent();
    Inventory inventory = agent.inventory().current();
    out.printf(
        "%nvGPU agent registered %s (%d devices) and %s (%d devices): 100 cores and memory/256 MiB per"
            + " card%n",
        CORE,
        kubelet.awaitRegistration(CORE, WAIT).devices().size(),
        MEMORY,
        kubelet.awaitRegistration(MEMORY, WAIT).devices().size());
    out.printf("%nBad requests (refused, nothing recorded):%n");
    refuse(pod("odd", Map.of(), 150, 0), 150, 0);
    refuse(pod("no-memory", Map.of(), 30, 0), 30, 0);
    refuse(pod("too-big", Map.of(), 30, 200), 30, 200);
    int three = inventory.gpus().get(3).index();
    int two = inventory.gpus().get(2).index();
    out.printf(
        "%nThe extender's choices (two pods asking the same, annotated for GPU %d and GPU %d, admitted in"
            + " the opposite order):%n",
        three, two);
    PodRef first = pod("same-1", assigned(three, 1), 20, 8);
    PodRef second = pod("same-2", assigned(two, 2), 20, 8);
    admit(second, 20, 8);
    admit(first, 20, 8);
    out.printf("%nShares the agent places itself (binpack: the fullest card that fits):%n");
    admit(pod("notebook-a", Map.of(), 30, 16), 30, 16);
    admit(pod("notebook-b", Map.of(), 50, 32), 50, 32);
    out.printf("%nWhole cards (200 cores = two idle cards, exclusive, NVLink-aware, no limits):%n");
    admit(pod("trainer", Map.of(), 200, 0), 200, 0);
    printCapacity();
    int before = cards.ledger().grants().size();
    out.printf("%nRelease: notebook-a ends; its share is free at once%n");
    kubelet.release("uid-notebook-a");
    api.delete("uid-notebook-a");
    out.printf("  grants %d -> %d%n", before, cards.ledger().grants().size());
    out.printf("%nAgent restart (checkpoint read back, reconciled with PodResources):%n");
    stopAgent();
    startAgent();
    out.printf(
        "  %d grants after the restart, as before%n", cards.ledger().grants().size());
    if (cards.ledger().grants().size() != before - 1) {
      throw new IllegalStateException("grants changed across the restart");
    }
    printCapacity();
  }

  private void startAgent() throws IOException {
    client =
        new PodResourcesClient(node.root().resolve("pod-resources.sock"), Duration.ofSeconds(2));
    Ledger ledger =
        Ledger.open(node.root().resolve("state/vgpu/checkpoint.json"), Clock.systemUTC());
    HamiCoreBackend backend = new HamiCoreBackend(
        options.hookPath(),
        DeviceNodes.scan(node.hostRoot(), node.hostRoot().resolve("proc")),
        VgpuOptions.MEMORY_UNIT);
    cards = new SharedCards(
        options.family(),
        ledger,
        api,
        api,
        api,
        PodResourcesLookup.of(client),
        "sim-node",
        options.placement(),
        Duration.ofSeconds(2),
        grant -> backend.released(grant.container()),
        Clock.systemUTC());
    int registered = kubelet.registrationCount(CORE);
    agent = AgentRuntime.start(
        node.agentSettings(),
        inventory -> {
          cards.reconcile(inventory, Duration.ofSeconds(1));
          return VgpuMode.plugins(cards, backend);
        },
        AllocationObserver.NONE,
        Clock.systemUTC());
    cards.start(agent.inventory());
    kubelet.awaitRegistrationCount(CORE, registered + 1, WAIT);
    kubelet.awaitRegistrationCount(MEMORY, registered + 1, WAIT);
  }

  private void stopAgent() {
    cards.close();
    agent.close();
    client.close();
  }

  private PodRef pod(String name, Map<String, String> annotations, int cores, int memory) {
    Map<String, Quantity> limits = new LinkedHashMap<>();
    limits.put(CORE, new Quantity(Integer.toString(cores)));
    if (memory > 0) {
      limits.put(MEMORY, new Quantity(Integer.toString(memory)));
    }
    api.put(new PodBuilder()
        .withNewMetadata()
        .withUid("uid-" + name)
        .withNamespace("ml")
        .withName(name)
        .withCreationTimestamp(
            Instant.parse("2026-01-01T00:00:00Z").plusSeconds(created++).toString())
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withNodeName("sim-node")
        .addToContainers(new ContainerBuilder()
            .withName("main")
            .withNewResources()
            .withLimits(limits)
            .endResources()
            .build())
        .endSpec()
        .withNewStatus()
        .withPhase("Pending")
        .endStatus()
        .build());
    return new PodRef("uid-" + name, "ml", name);
  }

  private static Map<String, String> assigned(int card, long time) {
    return Map.of(
        "tencent.com/predicate-gpu-idx-0",
        Integer.toString(card),
        "tencent.com/predicate-node",
        "sim-node",
        "tencent.com/predicate-time",
        Long.toString(time),
        "tencent.com/gpu-assigned",
        "false");
  }

  private void admit(PodRef pod, int cores, int memory) {
    Map<String, String> envs =
        new LinkedHashMap<>(kubelet.admit(pod, "main", CORE, cores).getEnvsMap());
    if (memory > 0) {
      envs.putAll(kubelet.admit(pod, "main", MEMORY, memory).getEnvsMap());
    }
    out.printf(
        "  %s asks %d cores, %d x 256 MiB -> GPU %s%n",
        pod.name(), cores, memory, indexesOf(envs.get("NVIDIA_VISIBLE_DEVICES")));
    envs.forEach((key, value) -> out.printf("    env %s=%s%n", key, value));
  }

  private void refuse(PodRef pod, int cores, int memory) {
    try {
      admit(pod, cores, memory);
      throw new IllegalStateException(pod.name() + " was admitted");
    } catch (AdmissionException e) {
      String message = e.getMessage();
      int status = message.indexOf("INVALID_ARGUMENT");
      out.printf(
          "  %s (%d cores, %d memory) -> %s%n",
          pod.name(), cores, memory, status >= 0 ? message.substring(status) : message);
      kubelet.release(pod.uid());
      api.delete(pod.uid());
    }
  }

  private String indexesOf(String uuids) {
    StringBuilder indexes = new StringBuilder();
    for (String uuid : uuids.split(",")) {
      for (Gpu gpu : agent.inventory().current().gpus()) {
        if (gpu.uuid().equals(uuid)) {
          indexes.append(indexes.length() == 0 ? "" : ",").append(gpu.index());
        }
      }
    }
    return indexes.toString();
  }

  private void printCapacity() {
    out.printf(
        "%nPer-card use (published on the Node as kubeaccel.io/gpus for the scheduler extender):%n");
    Map<String, CardUse> use = cards.ledger().useByCard();
    for (Gpu gpu : agent.inventory().current().gpus()) {
      CardUse used = use.getOrDefault(gpu.uuid(), new CardUse(0, 0, 0, false));
      out.printf(
          "  GPU %d: %3d/100 cores, %3d/%d memory units, %d container(s)%s%n",
          gpu.index(),
          used.cores(),
          used.memoryUnits(),
          options.family().memoryUnitsOf(gpu.memoryBytes()),
          used.containers(),
          used.exclusive() ? " (whole card)" : "");
    }
    if (!api.nodeAnnotations().containsKey("kubeaccel.io/gpus")) {
      throw new IllegalStateException("capacity annotation not published");
    }
  }

  @Override
  public void close() {
    if (agent != null) {
      stopAgent();
    }
    podResources.close();
    kubelet.close();
  }
}
