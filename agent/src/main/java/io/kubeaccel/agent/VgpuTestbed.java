package io.kubeaccel.agent;

import io.kubeaccel.core.AgentRuntime;
import io.kubeaccel.core.inventory.DeviceNodes;
import io.kubeaccel.core.kube.InMemoryNodeApi;
import io.kubeaccel.core.kube.PendingSharePods;
import io.kubeaccel.core.ledger.Ledger;
import io.kubeaccel.core.ledger.PodResourcesClient;
import io.kubeaccel.core.server.AllocationObserver;
import io.kubeaccel.core.sharing.PlacementPolicy;
import io.kubeaccel.core.sharing.PodResourcesLookup;
import io.kubeaccel.core.sharing.SharedCards;
import io.kubeaccel.testkit.KubeletStandIn;
import io.kubeaccel.testkit.PodRef;
import io.kubeaccel.testkit.PodResourcesStandIn;
import io.kubeaccel.vgpu.HamiCoreBackend;
import io.kubeaccel.vgpu.VgpuMode;
import io.kubeaccel.vgpu.VgpuOptions;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The vGPU agent running in this process on a simulated node, with the kubelet stand-in (and its PodResources) and an
 * in-memory Kubernetes API holding the pods: what {@code simulate --mode vgpu} and {@code bench --mode vgpu} drive.
 */
final class VgpuTestbed implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(10);
  static final String CORE = VgpuOptions.CORE_RESOURCE;
  static final String MEMORY = VgpuOptions.MEMORY_RESOURCE;
  static final String NODE = "sim-node";

  final SimulatedNode node;
  final KubeletStandIn kubelet;
  final InMemoryNodeApi api = new InMemoryNodeApi();
  final VgpuOptions options;
  private final PodResourcesStandIn podResources;
  private PodResourcesClient client;
  SharedCards cards;
  AgentRuntime agent;
  private final PendingSharePods pods = new PendingSharePods(NODE, CORE, MEMORY);

  VgpuTestbed(SimulatedNode node, PlacementPolicy placement) throws IOException {
    this.node = node;
    this.kubelet = KubeletStandIn.start(node.deviceDir());
    this.podResources =
        PodResourcesStandIn.start(node.root().resolve("pod-resources.sock"), kubelet);
    this.options = new VgpuOptions(1, 1, placement, node.root().resolve("hook"));
  }

  /** Starts (or restarts) the agent on the node's checkpoint and waits until both resources are registered. */
  void startAgent(AllocationObserver observer) throws IOException {
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
        NODE,
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
        observer,
        Clock.systemUTC());
    cards.start(agent.inventory());
    kubelet.awaitRegistrationCount(CORE, registered + 1, WAIT);
    kubelet.awaitRegistrationCount(MEMORY, registered + 1, WAIT);
  }

  void stopAgent() {
    cards.close();
    agent.close();
    client.close();
    agent = null;
  }

  /** A pending pod on the node with one container {@code main} asking {@code cores} and {@code memory} units. */
  PodRef pod(String name, Map<String, String> annotations, int cores, int memory) {
    api.put(pods.pod(
        name, annotations, List.of(new PendingSharePods.Container("main", cores, memory))));
    return new PodRef("uid-" + name, "ml", name);
  }

  /** The extender's annotations placing container 0 on card {@code card} of this node. */
  static Map<String, String> assigned(int card, long time) {
    return Map.of(
        "tencent.com/predicate-gpu-idx-0",
        Integer.toString(card),
        "tencent.com/predicate-node",
        NODE,
        "tencent.com/predicate-time",
        Long.toString(time),
        "tencent.com/gpu-assigned",
        "false");
  }

  /** Admits the pod's container as the kubelet does (cores, then memory) and returns the merged environment. */
  Map<String, String> admit(PodRef pod, int cores, int memory) {
    Map<String, String> envs =
        new LinkedHashMap<>(kubelet.admit(pod, "main", CORE, cores).getEnvsMap());
    if (memory > 0) {
      envs.putAll(kubelet.admit(pod, "main", MEMORY, memory).getEnvsMap());
    }
    return envs;
  }

  /** The pod ends: the kubelet frees its devices, the API server deletes it. */
  void end(PodRef pod) {
    kubelet.release(pod.uid());
    api.delete(pod.uid());
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
