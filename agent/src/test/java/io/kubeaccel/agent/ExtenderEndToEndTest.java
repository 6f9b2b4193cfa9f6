package io.kubeaccel.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kubeaccel.core.AgentRuntime;
import io.kubeaccel.core.PluginFactory;
import io.kubeaccel.core.inventory.DeviceNodes;
import io.kubeaccel.core.kube.KubeAccess;
import io.kubeaccel.core.kube.KubeAccess.PodScoping;
import io.kubeaccel.core.kube.KubeClients;
import io.kubeaccel.core.kube.KubeSettings;
import io.kubeaccel.core.ledger.CardUse;
import io.kubeaccel.core.ledger.Ledger;
import io.kubeaccel.core.ledger.PodResourcesClient;
import io.kubeaccel.core.server.AllocationObserver;
import io.kubeaccel.core.sharing.PlacementPolicy;
import io.kubeaccel.core.sharing.PodResourcesLookup;
import io.kubeaccel.core.sharing.SharedCards;
import io.kubeaccel.extender.AssignAt;
import io.kubeaccel.extender.ExtenderSettings;
import io.kubeaccel.extender.SchedulerExtender;
import io.kubeaccel.mps.MpsMode;
import io.kubeaccel.mps.MpsOptions;
import io.kubeaccel.mps.daemon.MpsDaemonSupervisor;
import io.kubeaccel.testkit.KubeletStandIn;
import io.kubeaccel.testkit.PodResourcesStandIn;
import io.kubeaccel.vgpu.HamiCoreBackend;
import io.kubeaccel.vgpu.VgpuMode;
import io.kubeaccel.vgpu.VgpuOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The scheduler extender and the share agents together: three simulated nodes (two vGPU, one MPS; agents on the fake
 * NVML, each with a kubelet stand-in) behind fabric8's mock API server; fifty pods with mixed vcuda and mps requests go
 * through filter, priorities and bind, then the node's kubelet admits them. Every container must land on exactly the
 * card the extender chose, no card may exceed its capacity, and pods that fit nowhere must get a reason.
 */
class ExtenderEndToEndTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private KubernetesMockServer server;
  private KubernetesClient client;
  private SchedulerExtender extender;
  private final List<SimNode> nodes = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  /** One node: its fake NVML and kubelet, its agent and what the agent holds. */
  private record SimNode(
      String name,
      boolean mps,
      SimulatedNode files,
      KubeletStandIn kubelet,
      PodResourcesStandIn podResources,
      PodResourcesClient podResourcesClient,
      KubeAccess kube,
      SharedCards cards,
      AgentRuntime agent,
      AutoCloseable daemon) {

    String core() {
      return mps ? MpsOptions.CORE_RESOURCE : VgpuOptions.CORE_RESOURCE;
    }

    String memory() {
      return mps ? MpsOptions.MEMORY_RESOURCE : VgpuOptions.MEMORY_RESOURCE;
    }

    void close() throws Exception {
      agent.close();
      daemon.close();
      cards.close();
      podResourcesClient.close();
      podResources.close();
      kubelet.close();
      files.close();
    }
  }

  @BeforeEach
  void start() throws Exception {
    server = new KubernetesMockServer(
        new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    server.init();
    client = server.createClient(builder -> builder
        .withKubernetesSerialization(KubeClients.serialization())
        .editOrNewConfig()
        .withRequestRetryBackoffLimit(0)
        .withWatchReconnectInterval(50)
        .endConfig());
    nodes.add(startNode("gpu-a", false));
    nodes.add(startNode("gpu-b", false));
    nodes.add(startNode("gpu-c", true));
    extender =
        SchedulerExtender.start(client, ExtenderSettings.defaults(0).withAssignAt(AssignAt.BIND));
    assertThat(extender.awaitSynced(WAIT)).isTrue();
  }

  @AfterEach
  void stop() throws Exception {
    server.destroy(); // first: the mock server can deadlock when watches close while it sends
    if (extender != null) {
      extender.close();
    }
    for (SimNode node : nodes) {
      node.kube().close();
      node.close();
    }
    client.close();
  }

  private SimNode startNode(String name, boolean mps) throws Exception {
    client
        .nodes()
        .resource(new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .addToLabels("nvidia-device-enable", mps ? "mps" : "vgpu")
            .endMetadata()
            .build())
        .create();
    SimulatedNode files = SimulatedNode.create(NodePreset.FOUR_GPU);
    KubeletStandIn kubelet = KubeletStandIn.start(files.deviceDir());
    PodResourcesStandIn podResources =
        PodResourcesStandIn.start(files.root().resolve("pr.sock"), kubelet);
    PodResourcesClient podResourcesClient =
        new PodResourcesClient(files.root().resolve("pr.sock"), WAIT);
    KubeAccess kube = KubeAccess.using(
        client,
        new KubeSettings(name, null, KubeSettings.DEFAULT_RESYNC, Duration.ZERO),
        PodScoping.CLIENT_SIDE_ONLY);
    Ledger ledger = Ledger.open(files.root().resolve("state/checkpoint.json"), Clock.systemUTC());
    DeviceNodes devices = DeviceNodes.scan(files.hostRoot(), files.hostRoot().resolve("proc"));
    SharedCards cards;
    PluginFactory plugins;
    AutoCloseable daemon;
    MpsMode mpsMode = null;
    if (mps) {
      MpsOptions options = new MpsOptions(
          files.root().resolve("mps"), files.mpsControl().toString(), PlacementPolicy.BINPACK);
      cards = new SharedCards(
          options.family(),
          MpsMode.eligibility(),
          ledger,
          kube.nodePods(),
          kube.podAnnotator(),
          kube.nodeMetadata(),
          PodResourcesLookup.of(podResourcesClient),
          name,
          PlacementPolicy.BINPACK,
          Duration.ofSeconds(5),
          grant -> {},
          Clock.systemUTC());
      MpsDaemonSupervisor supervisor = new MpsDaemonSupervisor(
          options.daemonSettings(),
          files.agentSettings().nvml(),
          kube.nodeEvents(),
          Clock.systemUTC());
      mpsMode = new MpsMode(
          options, cards, supervisor, devices, kube.nodeEvents(), Duration.ofSeconds(5));
      plugins = mpsMode;
      daemon = supervisor;
    } else {
      VgpuOptions options =
          new VgpuOptions(1, 1, PlacementPolicy.BINPACK, files.root().resolve("hook"));
      cards = new SharedCards(
          options.family(),
          ledger,
          kube.nodePods(),
          kube.podAnnotator(),
          kube.nodeMetadata(),
          PodResourcesLookup.of(podResourcesClient),
          name,
          PlacementPolicy.BINPACK,
          Duration.ofSeconds(5),
          grant -> {},
          Clock.systemUTC());
      HamiCoreBackend backend =
          new HamiCoreBackend(options.hookPath(), devices, VgpuOptions.MEMORY_UNIT);
      SharedCards shared = cards;
      plugins = inventory -> {
        shared.reconcile(inventory, Duration.ofSeconds(5));
        return VgpuMode.plugins(shared, backend);
      };
      daemon = () -> {};
    }
    AgentRuntime agent = AgentRuntime.start(
        files.agentSettings(), plugins, AllocationObserver.NONE, Clock.systemUTC());
    if (mpsMode != null) {
      mpsMode.started(agent.inventory());
    } else {
      cards.start(agent.inventory());
    }
    SimNode node = new SimNode(
        name, mps, files, kubelet, podResources, podResourcesClient, kube, cards, agent, daemon);
    kubelet.awaitRegistration(node.core(), WAIT);
    kubelet.awaitRegistration(node.memory(), WAIT);
    return node;
  }

  @Test
  void fiftyMixedPodsLandOnTheCardsTheExtenderChoseAndNoCardIsOverbooked() throws Exception {
    Random random = new Random(7);
    List<String> unschedulable = new ArrayList<>();
    int placed = 0;
    for (int i = 0; i < 50; i++) {
      boolean mps = random.nextInt(10) < 3;
      int cores = mps ? 10 * (1 + random.nextInt(5)) : 5 * (2 + random.nextInt(7));
      int memory = mps ? 2 + random.nextInt(7) : 8 * (1 + random.nextInt(4));
      Pod pod = createPod("pod-" + i, mps, cores, memory);
      JsonNode filter =
          post("predicates", Map.of("Pod", pod, "NodeNames", List.of("gpu-a", "gpu-b", "gpu-c")));
      List<String> passing = new ArrayList<>();
      filter.path("NodeNames").forEach(n -> passing.add(n.asString()));
      if (passing.isEmpty()) {
        String reasons =
            filter.path("FailedNodes").toString() + filter.path("FailedAndUnresolvableNodes");
        assertThat(reasons).as("pod-%d gets a reason", i).contains("no single GPU");
        unschedulable.add(pod.getMetadata().getName());
        continue;
      }
      JsonNode priorities = post("priorities", Map.of("Pod", pod, "NodeNames", passing));
      String host = best(priorities);
      JsonNode bind = post(
          "bind",
          Map.of(
              "PodName",
              pod.getMetadata().getName(),
              "PodNamespace",
              "ml",
              "PodUID",
              pod.getMetadata().getUid(),
              "Node",
              host));
      assertThat(bind.path("Error").asString("")).as("bind of pod-%d", i).isEmpty();
      SimNode node =
          nodes.stream().filter(n -> n.name().equals(host)).findFirst().orElseThrow();
      Pod bound = arriveOnNode(pod, node);
      String prefix = mps ? "mps.kubeaccel.io/" : "tencent.com/";
      int card = Integer.parseInt(
          bound.getMetadata().getAnnotations().get(prefix + "predicate-gpu-idx-0"));
      Map<String, String> envs = admit(node, bound, cores, memory);
      String expected = node.agent().inventory().current().gpus().stream()
          .filter(g -> g.index() == card)
          .findFirst()
          .orElseThrow()
          .uuid();
      assertThat(envs.get("NVIDIA_VISIBLE_DEVICES"))
          .as("pod-%d on %s card %d", i, host, card)
          .isEqualTo(expected);
      placed++;
    }
    for (SimNode node : nodes) {
      for (CardUse use : node.cards().ledger().useByCard().values()) {
        assertThat(use.cores()).as("cores on %s", node.name()).isLessThanOrEqualTo(100);
        assertThat(use.memoryUnits())
            .as("memory on %s", node.name())
            .isLessThanOrEqualTo(node.mps() ? 40 : 160);
      }
    }
    assertThat(placed).isGreaterThan(25);
    assertThat(unschedulable).isNotEmpty();
  }

  private Pod createPod(String name, boolean mps, int cores, int memory) {
    Map<String, Quantity> limits = new LinkedHashMap<>();
    limits.put(
        mps ? MpsOptions.CORE_RESOURCE : VgpuOptions.CORE_RESOURCE,
        new Quantity(Integer.toString(cores)));
    limits.put(
        mps ? MpsOptions.MEMORY_RESOURCE : VgpuOptions.MEMORY_RESOURCE,
        new Quantity(Integer.toString(memory)));
    Pod pod = new PodBuilder()
        .withNewMetadata()
        .withNamespace("ml")
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .addToContainers(new ContainerBuilder()
            .withName("main")
            .withImage("cuda")
            .withNewResources()
            .withLimits(limits)
            .endResources()
            .build())
        .endSpec()
        .withNewStatus()
        .withPhase("Pending")
        .endStatus()
        .build();
    return client.pods().inNamespace("ml").resource(pod).create();
  }

  /** The pod as the kubelet would see it after binding, once the node's agent has it in its pod cache. */
  private Pod arriveOnNode(Pod pod, SimNode node) throws Exception {
    Pod current =
        client.pods().inNamespace("ml").withName(pod.getMetadata().getName()).get();
    if (current.getSpec().getNodeName() == null) {
      // The mock API server does not act on Bindings the way the real one does: set the node as
      // binding does.
      current = client
          .pods()
          .inNamespace("ml")
          .withName(pod.getMetadata().getName())
          .edit(p ->
              new PodBuilder(p).editSpec().withNodeName(node.name()).endSpec().build());
    }
    CountDownLatch seen = new CountDownLatch(1);
    try (AutoCloseable listener = node.kube().nodePods().onChange(p -> {
      if (p.getMetadata().getUid().equals(pod.getMetadata().getUid())) {
        seen.countDown();
      }
    })) {
      if (node.kube().nodePods().byUid(pod.getMetadata().getUid()).isEmpty()) {
        assertThat(seen.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
            .as("agent sees its pod")
            .isTrue();
      }
    }
    return current;
  }

  private Map<String, String> admit(SimNode node, Pod pod, int cores, int memory) {
    io.kubeaccel.testkit.PodRef ref = new io.kubeaccel.testkit.PodRef(
        pod.getMetadata().getUid(), "ml", pod.getMetadata().getName());
    Map<String, String> envs = new LinkedHashMap<>(
        node.kubelet().admit(ref, "main", node.core(), cores).getEnvsMap());
    envs.putAll(node.kubelet().admit(ref, "main", node.memory(), memory).getEnvsMap());
    return envs;
  }

  private static String best(JsonNode priorities) {
    String host = null;
    long score = -1;
    for (JsonNode entry : priorities) {
      if (entry.path("Score").asLong() > score) {
        score = entry.path("Score").asLong();
        host = entry.path("Host").asString();
      }
    }
    return host;
  }

  private JsonNode post(String verb, Object body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + extender.port() + "/scheduler/" + verb))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
        .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(verb + ": " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }
}
