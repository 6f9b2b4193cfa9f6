package io.kubeaccel.agent;

import io.kubeaccel.core.AgentRuntime;
import io.kubeaccel.core.inventory.DeviceNodes;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.kube.InMemoryNodeApi;
import io.kubeaccel.core.kube.PendingSharePods;
import io.kubeaccel.core.ledger.CardUse;
import io.kubeaccel.core.ledger.Ledger;
import io.kubeaccel.core.ledger.PodResourcesClient;
import io.kubeaccel.core.server.AllocationObserver;
import io.kubeaccel.core.sharing.PlacementPolicy;
import io.kubeaccel.core.sharing.PodResourcesLookup;
import io.kubeaccel.core.sharing.SharedCards;
import io.kubeaccel.mps.MpsMode;
import io.kubeaccel.mps.MpsOptions;
import io.kubeaccel.mps.daemon.MpsDaemonSupervisor;
import io.kubeaccel.nvml.ComputeMode;
import io.kubeaccel.proto.deviceplugin.v1beta1.ContainerAllocateResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.Device;
import io.kubeaccel.testkit.AdmissionException;
import io.kubeaccel.testkit.Await;
import io.kubeaccel.testkit.FakeMpsControl;
import io.kubeaccel.testkit.KubeletStandIn;
import io.kubeaccel.testkit.PodRef;
import io.kubeaccel.testkit.PodResourcesStandIn;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code simulate --mode mps}: the MPS agent on a simulated node with the fake MPS control program, the kubelet
 * stand-in (and its PodResources) and an in-memory Kubernetes API; shows the daemon started on EXCLUSIVE_PROCESS
 * cards, shares with per-container limits, refusals, the daemon killed and brought back, and a clean shutdown.
 */
final class MpsSimulation implements AutoCloseable {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String CORE = MpsOptions.CORE_RESOURCE;
  private static final String MEMORY = MpsOptions.MEMORY_RESOURCE;
  private static final String NODE = "sim-node";

  private final PrintWriter out;
  private final SimulatedNode node;
  private final KubeletStandIn kubelet;
  private final PodResourcesStandIn podResources;
  private final InMemoryNodeApi api = new InMemoryNodeApi();
  private final MpsOptions options;
  private PodResourcesClient client;
  private SharedCards cards;
  private MpsDaemonSupervisor supervisor;
  private AgentRuntime agent;
  private final PendingSharePods pods = new PendingSharePods(NODE, CORE, MEMORY);

  MpsSimulation(PrintWriter out, SimulatedNode node) throws IOException {
    this.out = out;
    this.node = node;
    this.kubelet = KubeletStandIn.start(node.deviceDir());
    this.podResources =
        PodResourcesStandIn.start(node.root().resolve("pod-resources.sock"), kubelet);
    this.options = new MpsOptions(
        node.root().resolve("run/nvidia/mps"),
        node.mpsControl().toString(),
        PlacementPolicy.BINPACK);
  }

  void run() throws IOException {
    startAgent();
    List<Device> advertised = kubelet.awaitRegistration(CORE, WAIT).devices();
    api.events().forEach(e -> out.printf("%nEvent %s %s: %s", e.type(), e.reason(), e.message()));
    if (advertised.isEmpty()) {
      out.printf("%nNo GPU of this node can serve MPS (see the Events above): the agent runs and"
          + " offers no devices.%n");
      stopAgent();
      return;
    }
    out.printf(
        "%nMPS agent registered %s (%d devices) and %s (%d devices): 100 cores and memory/1 GiB per card%n",
        CORE,
        advertised.size(),
        MEMORY,
        kubelet.awaitRegistration(MEMORY, WAIT).devices().size());
    out.printf(
        "MPS control daemon running (pid %d, %s -d, CUDA_MPS_PIPE_DIRECTORY=%s); compute modes %s%n",
        FakeMpsControl.daemonPid(options.pipeDirectory()).orElseThrow(),
        options.control(),
        options.pipeDirectory(),
        node.nvml().computeModes().values());

    out.printf("%nBad requests (refused, nothing recorded):%n");
    refuse(pod("too-many-cores", Map.of(), 150, 8), 150, 8);
    refuse(pod("no-memory", Map.of(), 30, 0), 30, 0);
    refuse(pod("no-cores", Map.of(), 0, 8), 0, 8);

    Gpu last = agent
        .inventory()
        .current()
        .gpus()
        .get(agent.inventory().current().gpus().size() - 1);
    out.printf("%nContainers as MPS clients, each with its own limits:%n");
    admit(pod("notebook-a", Map.of(), 30, 4), 30, 4);
    admit(pod("notebook-b", Map.of(), 50, 8), 50, 8);
    admit(pod("extender-placed", assigned(last.index()), 20, 2), 20, 2);
    out.printf("  per-card use (published on the Node as kubeaccel.io/gpus):%n");
    Map<String, CardUse> use = cards.ledger().useByCard();
    for (Gpu gpu : cards.eligible(agent.inventory().current()).gpus()) {
      CardUse used = use.getOrDefault(gpu.uuid(), new CardUse(0, 0, 0, false));
      out.printf(
          "    GPU %d: %3d/100 cores, %2d/%d GiB, %d container(s)%n",
          gpu.index(),
          used.cores(),
          used.memoryUnits(),
          options.family().memoryUnitsOf(gpu.memoryBytes()),
          used.containers());
    }

    daemonCrash();
    shutdown();
  }

  private void daemonCrash() {
    out.printf("%nThe MPS daemon is killed (SIGKILL):%n");
    long start = System.nanoTime();
    long killed = FakeMpsControl.killDaemon(options.pipeDirectory());
    kubelet.awaitRegistration(CORE, WAIT).awaitDevices(all("Unhealthy"), WAIT);
    out.printf(
        "  %.0f ms: health check fails, every card Unhealthy on ListAndWatch (%s)%n",
        SimulateCommand.ms(start, System.nanoTime()),
        agent
            .inventory()
            .current()
            .health(agent.inventory().current().gpus().get(0).uuid())
            .reason());
    Await.until(
        "a new MPS daemon",
        WAIT,
        () -> FakeMpsControl.daemonPid(options.pipeDirectory())
            .filter(p -> p != killed)
            .isPresent());
    out.printf(
        "  %.0f ms: daemon restarted (pid %d)%n",
        SimulateCommand.ms(start, System.nanoTime()),
        FakeMpsControl.daemonPid(options.pipeDirectory()).orElseThrow());
    kubelet.awaitRegistration(CORE, WAIT).awaitDevices(all("Healthy"), WAIT);
    out.printf(
        "  %.0f ms: it answers its health check, every card Healthy again%n",
        SimulateCommand.ms(start, System.nanoTime()));
  }

  private void shutdown() {
    out.printf("%nAgent shutdown (SIGTERM):%n");
    stopAgent();
    List<String> told = FakeMpsControl.commands(options.pipeDirectory());
    Map<String, ComputeMode> modes = node.nvml().computeModes();
    out.printf(
        "  daemon told \"%s\", running: %s; compute modes (fake NVML's compute-mode file) %s%n",
        told.get(told.size() - 1),
        FakeMpsControl.daemonPid(options.pipeDirectory()).isPresent(),
        modes.values());
    if (!told.get(told.size() - 1).equals("quit")
        || !modes.values().stream().allMatch(ComputeMode.DEFAULT::equals)) {
      throw new IllegalStateException("the daemon was not stopped cleanly");
    }
  }

  private void startAgent() throws IOException {
    client =
        new PodResourcesClient(node.root().resolve("pod-resources.sock"), Duration.ofSeconds(2));
    Ledger ledger =
        Ledger.open(node.root().resolve("state/mps/checkpoint.json"), Clock.systemUTC());
    cards = new SharedCards(
        options.family(),
        MpsMode.eligibility(),
        ledger,
        api,
        api,
        api,
        PodResourcesLookup.of(client),
        NODE,
        options.placement(),
        Duration.ofSeconds(2),
        grant -> {},
        Clock.systemUTC());
    supervisor = new MpsDaemonSupervisor(
        options.daemonSettings(), node.agentSettings().nvml(), api, Clock.systemUTC());
    MpsMode mode = new MpsMode(
        options,
        cards,
        supervisor,
        DeviceNodes.scan(node.hostRoot(), node.hostRoot().resolve("proc")),
        api,
        Duration.ofSeconds(1));
    agent =
        AgentRuntime.start(node.agentSettings(), mode, AllocationObserver.NONE, Clock.systemUTC());
    mode.started(agent.inventory());
    kubelet.awaitRegistration(CORE, WAIT);
    kubelet.awaitRegistration(MEMORY, WAIT);
  }

  private void stopAgent() {
    if (agent != null) {
      agent.close();
      supervisor.close();
      cards.close();
      client.close();
      agent = null;
    }
  }

  private PodRef pod(String name, Map<String, String> annotations, int cores, int memory) {
    api.put(pods.pod(
        name, annotations, List.of(new PendingSharePods.Container("main", cores, memory))));
    return new PodRef("uid-" + name, "ml", name);
  }

  /** The extender's annotations placing container 0 on card {@code card} of this node. */
  private static Map<String, String> assigned(int card) {
    return Map.of(
        "mps.kubeaccel.io/predicate-gpu-idx-0",
        Integer.toString(card),
        "mps.kubeaccel.io/predicate-node",
        NODE,
        "mps.kubeaccel.io/predicate-time",
        "1",
        "mps.kubeaccel.io/gpu-assigned",
        "false");
  }

  private void admit(PodRef pod, int cores, int memory) {
    Map<String, String> envs = new LinkedHashMap<>();
    ContainerAllocateResponse last = null;
    for (String resource : List.of(CORE, MEMORY)) {
      int amount = resource.equals(CORE) ? cores : memory;
      if (amount > 0) {
        last = kubelet.admit(pod, "main", resource, amount);
        envs.putAll(last.getEnvsMap());
      }
    }
    out.printf(
        "  %s asks %d mps-core, %d GiB -> GPU %s%n", pod.name(), cores, memory, indexOf(envs));
    envs.forEach((key, value) -> out.printf("    env %s=%s%n", key, value));
    last.getMountsList()
        .forEach(m -> out.printf("    mount %s <- %s%n", m.getContainerPath(), m.getHostPath()));
  }

  private void refuse(PodRef pod, int cores, int memory) {
    try {
      admit(pod, cores, memory);
      throw new IllegalStateException(pod.name() + " was admitted");
    } catch (AdmissionException e) {
      String message = e.getMessage();
      int status = message.indexOf("INVALID_ARGUMENT");
      out.printf(
          "  %s (%d cores, %d GiB) -> %s%n",
          pod.name(), cores, memory, status >= 0 ? message.substring(status) : message);
      kubelet.release(pod.uid());
      api.delete(pod.uid());
    }
  }

  private String indexOf(Map<String, String> envs) {
    String uuid = envs.get("NVIDIA_VISIBLE_DEVICES");
    return agent.inventory().current().gpus().stream()
        .filter(g -> g.uuid().equals(uuid))
        .map(g -> Integer.toString(g.index()))
        .findFirst()
        .orElse("?");
  }

  private static Predicate<List<Device>> all(String health) {
    return devices ->
        !devices.isEmpty() && devices.stream().allMatch(d -> d.getHealth().equals(health));
  }

  @Override
  public void close() {
    stopAgent();
    podResources.close();
    kubelet.close();
  }
}
