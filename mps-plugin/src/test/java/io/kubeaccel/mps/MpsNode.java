package io.kubeaccel.mps;

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
import io.kubeaccel.core.sharing.PlacementPolicy;
import io.kubeaccel.core.sharing.PodResourcesLookup;
import io.kubeaccel.core.sharing.SharedCards;
import io.kubeaccel.mps.daemon.MpsDaemonSettings;
import io.kubeaccel.mps.daemon.MpsDaemonSupervisor;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeNode;
import io.kubeaccel.proto.deviceplugin.v1beta1.ContainerAllocateResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.DeviceSpec;
import io.kubeaccel.proto.deviceplugin.v1beta1.Mount;
import io.kubeaccel.testkit.FakeMpsControl;
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
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * An MPS node for tests: fake NVML, the fake MPS control program, the kubelet stand-in with PodResources, an
 * in-memory Kubernetes API, and the agent with its ledger, checkpoint and daemon supervisor — all in one short
 * directory under /tmp.
 */
final class MpsNode implements AutoCloseable {

  static final String CORE = MpsOptions.CORE_RESOURCE;
  static final String MEMORY = MpsOptions.MEMORY_RESOURCE;
  static final String NODE = "gpu-node-1";
  static final Duration WAIT = Duration.ofSeconds(10);

  /** What a container received from its two Allocates, merged. */
  record Admitted(Map<String, String> envs, List<Mount> mounts, List<DeviceSpec> devices) {}

  final Path root;
  final FakeNode nvml;
  final KubeletStandIn kubelet;
  final PodResourcesStandIn podResources;
  final InMemoryNodeApi api = new InMemoryNodeApi();
  final MpsOptions options;
  private final UnaryOperator<MpsDaemonSettings> daemon;
  private PodResourcesClient podResourcesClient;
  SharedCards cards;
  MpsDaemonSupervisor supervisor;
  MpsMode mode;
  AgentRuntime agent;
  private final PendingSharePods pods = new PendingSharePods(NODE, CORE, MEMORY);

  MpsNode(FakeInventory inventory) throws IOException {
    this(inventory, settings -> settings);
  }

  /** With the fake control program; {@code daemon} adjusts how it is supervised. */
  MpsNode(FakeInventory inventory, UnaryOperator<MpsDaemonSettings> daemon) throws IOException {
    this.root = Files.createTempDirectory(Path.of("/tmp"), "kamps-");
    this.nvml = FakeNode.create(root.resolve("nvml"), inventory);
    this.kubelet = KubeletStandIn.start(root.resolve("dp"));
    this.podResources = PodResourcesStandIn.start(root.resolve("pr.sock"), kubelet);
    Path control = FakeMpsControl.installScript(root.resolve("bin/nvidia-cuda-mps-control"));
    this.options = new MpsOptions(root.resolve("mps"), control.toString(), PlacementPolicy.BINPACK);
    this.daemon = daemon;
  }

  Path pipe() {
    return options.pipeDirectory();
  }

  /** Starts (or restarts) the agent; its ledger is read from the same checkpoint every time. */
  MpsNode startAgent() throws IOException {
    int registered = kubelet.registrationCount(CORE);
    Ledger ledger = Ledger.open(root.resolve("state/checkpoint.json"), Clock.systemUTC());
    podResourcesClient = new PodResourcesClient(root.resolve("pr.sock"), Duration.ofSeconds(2));
    cards = new SharedCards(
        options.family(),
        MpsMode.eligibility(),
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
    supervisor = new MpsDaemonSupervisor(
        daemon.apply(options.daemonSettings()), nvml.libraryPath(), api, Clock.systemUTC());
    mode = new MpsMode(
        options,
        cards,
        supervisor,
        new DeviceNodes(Path.of("/dev"), List.of("/dev/nvidiactl", "/dev/nvidia-uvm"), Map.of()),
        api,
        Duration.ofSeconds(1));
    AgentSettings settings = new AgentSettings(
        nvml.libraryPath(),
        nvml.sysfsRoot(),
        HostSettings.defaults(root.resolve("dp")),
        HealthPolicy.defaults(),
        true,
        Duration.ofSeconds(1));
    agent = AgentRuntime.start(settings, mode, AllocationObserver.NONE, Clock.systemUTC());
    mode.started(agent.inventory());
    kubelet.awaitRegistrationCount(CORE, registered + 1, WAIT);
    kubelet.awaitRegistrationCount(MEMORY, registered + 1, WAIT);
    return this;
  }

  /** Stops the agent as SIGTERM does: sockets first, then the daemon, then the rest. */
  void stopAgent() {
    agent.close();
    supervisor.close();
    cards.close();
    podResourcesClient.close();
    agent = null;
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
    annotations.put("mps.kubeaccel.io/predicate-gpu-idx-0", Integer.toString(index));
    annotations.put("mps.kubeaccel.io/predicate-node", NODE);
    annotations.put("mps.kubeaccel.io/predicate-time", Long.toString(nanos));
    annotations.put("mps.kubeaccel.io/gpu-assigned", "false");
    return annotations;
  }

  /** Admits container {@code c<index>} as the kubelet does: each of its resources, core first or memory first. */
  Admitted admit(PodRef pod, int index, int cores, int memory, boolean memoryFirst) {
    io.kubeaccel.testkit.PodRef ref =
        new io.kubeaccel.testkit.PodRef(pod.uid(), pod.namespace(), pod.name());
    Map<String, String> envs = new LinkedHashMap<>();
    List<Mount> mounts = new ArrayList<>();
    List<DeviceSpec> devices = new ArrayList<>();
    List<String> order = memoryFirst ? List.of(MEMORY, CORE) : List.of(CORE, MEMORY);
    for (String resource : order) {
      int amount = resource.equals(CORE) ? cores : memory;
      if (amount > 0) {
        ContainerAllocateResponse response = kubelet.admit(ref, "c" + index, resource, amount);
        envs.putAll(response.getEnvsMap());
        mounts.addAll(response.getMountsList());
        devices.addAll(response.getDevicesList());
      }
    }
    return new Admitted(envs, mounts, devices);
  }

  /** The pod ends: the kubelet frees its devices, the API server deletes it. */
  void end(PodRef pod) {
    kubelet.release(pod.uid());
    api.delete(pod.uid());
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
