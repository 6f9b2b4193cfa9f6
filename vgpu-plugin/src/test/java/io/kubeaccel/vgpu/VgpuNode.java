package io.kubeaccel.vgpu;

import io.kubeaccel.core.AgentRuntime;
import io.kubeaccel.core.AgentSettings;
import io.kubeaccel.core.health.HealthPolicy;
import io.kubeaccel.core.inventory.DeviceNodes;
import io.kubeaccel.core.kube.InMemoryNodeApi;
import io.kubeaccel.core.kube.PendingSharePods;
import io.kubeaccel.core.kube.PodRef;
import io.kubeaccel.core.ledger.Ledger;
import io.kubeaccel.core.ledger.PodResourcesClient;
import io.kubeaccel.core.server.AllocationObserver;
import io.kubeaccel.core.server.HostSettings;
import io.kubeaccel.core.sharing.PodResourcesLookup;
import io.kubeaccel.core.sharing.SharedCards;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeNode;
import io.kubeaccel.proto.deviceplugin.v1beta1.ContainerAllocateResponse;
import io.kubeaccel.testkit.KubeletStandIn;
import io.kubeaccel.testkit.PodResourcesStandIn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A vGPU node for tests: fake NVML, the kubelet stand-in with PodResources, an in-memory Kubernetes API, and the
 * agent with its ledger and checkpoint — everything in one short directory under /tmp.
 */
final class VgpuNode implements AutoCloseable {

  static final String CORE = VgpuOptions.CORE_RESOURCE;
  static final String MEMORY = VgpuOptions.MEMORY_RESOURCE;
  static final String NODE = "gpu-node-1";
  static final Duration WAIT = Duration.ofSeconds(10);

  final Path root;
  final FakeNode nvml;
  final KubeletStandIn kubelet;
  final PodResourcesStandIn podResources;
  final InMemoryNodeApi api = new InMemoryNodeApi();
  final VgpuOptions options;
  private PodResourcesClient podResourcesClient;
  SharedCards cards;
  AgentRuntime agent;
  private final PendingSharePods pods = new PendingSharePods(NODE, CORE, MEMORY);
  private int registrations;

  VgpuNode(FakeInventory inventory, VgpuOptions options) throws IOException {
    this.root = Files.createTempDirectory(Path.of("/tmp"), "kav-");
    this.nvml = FakeNode.create(root.resolve("nvml"), inventory);
    this.kubelet = KubeletStandIn.start(root.resolve("dp"));
    this.podResources = PodResourcesStandIn.start(root.resolve("pr.sock"), kubelet);
    this.options = new VgpuOptions(
        options.coreFactor(), options.memoryFactor(), options.placement(), root.resolve("hook"));
  }

  /** Starts (or restarts) the agent; its ledger is read from the same checkpoint every time. */
  VgpuNode startAgent() throws IOException {
    Ledger ledger = Ledger.open(root.resolve("state/checkpoint.json"), Clock.systemUTC());
    podResourcesClient = new PodResourcesClient(root.resolve("pr.sock"), Duration.ofSeconds(2));
    cards = new SharedCards(
        options.family(),
        ledger,
        api,
        api,
        api,
        PodResourcesLookup.of(podResourcesClient),
        NODE,
        options.placement(),
        Duration.ofSeconds(2),
        grant -> {},
        Clock.systemUTC());
    HamiCoreBackend backend = new HamiCoreBackend(
        options.hookPath(),
        new DeviceNodes(Path.of("/dev"), java.util.List.of("/dev/nvidiactl"), Map.of()),
        VgpuOptions.MEMORY_UNIT);
    AgentSettings settings = new AgentSettings(
        nvml.libraryPath(),
        nvml.sysfsRoot(),
        HostSettings.defaults(root.resolve("dp")),
        HealthPolicy.defaults(),
        true,
        Duration.ofSeconds(1));
    agent = AgentRuntime.start(
        settings,
        inventory -> {
          cards.reconcile(inventory, Duration.ofSeconds(1));
          return VgpuMode.plugins(cards, backend);
        },
        AllocationObserver.NONE,
        Clock.systemUTC());
    cards.start(agent.inventory());
    kubelet.awaitRegistrationCount(CORE, registrations + 1, WAIT);
    kubelet.awaitRegistrationCount(MEMORY, registrations + 1, WAIT);
    registrations++;
    return this;
  }

  /** Stops the agent as a crash would leave things: checkpoint on disk, kubelet's allocations intact. */
  void stopAgent() {
    cards.close();
    agent.close();
    podResourcesClient.close();
  }

  /** A pending pod on this node with one container per entry of {@code containers} (cores, memory units). */
  PodRef pod(String name, Map<String, String> annotations, int[]... containers) {
    List<PendingSharePods.Container> asked = new ArrayList<>();
    for (int i = 0; i < containers.length; i++) {
      asked.add(new PendingSharePods.Container("c" + i, containers[i][0], containers[i][1]));
    }
    api.put(pods.pod(name, annotations, asked));
    return new PodRef("uid-" + name, "ml", name);
  }

  /** The extender's assignment of container 0 to card {@code index}, written at {@code nanos}. */
  static Map<String, String> assigned(int index, long nanos) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("tencent.com/predicate-gpu-idx-0", Integer.toString(index));
    annotations.put("tencent.com/predicate-node", NODE);
    annotations.put("tencent.com/predicate-time", Long.toString(nanos));
    annotations.put("tencent.com/gpu-assigned", "false");
    return annotations;
  }

  /** Admits container {@code c<index>} as the kubelet does: each of its resources, core first or memory first. */
  Map<String, String> admit(PodRef pod, int index, int cores, int memory, boolean memoryFirst) {
    io.kubeaccel.testkit.PodRef ref =
        new io.kubeaccel.testkit.PodRef(pod.uid(), pod.namespace(), pod.name());
    Map<String, String> envs = new LinkedHashMap<>();
    String first = memoryFirst ? MEMORY : CORE;
    String second = memoryFirst ? CORE : MEMORY;
    int firstAmount = memoryFirst ? memory : cores;
    int secondAmount = memoryFirst ? cores : memory;
    if (firstAmount > 0) {
      ContainerAllocateResponse response = kubelet.admit(ref, "c" + index, first, firstAmount);
      envs.putAll(response.getEnvsMap());
    }
    if (secondAmount > 0) {
      ContainerAllocateResponse response = kubelet.admit(ref, "c" + index, second, secondAmount);
      envs.putAll(response.getEnvsMap());
    }
    return envs;
  }

  @Override
  public void close() throws IOException {
    if (agent != null) {
      stopAgent();
    }
    podResources.close();
    kubelet.close();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
