package io.kubeaccel.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kubeaccel.testkit.KubeletStandIn;
import io.kubeaccel.testkit.PodResourcesStandIn;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar the image ships ({@code agent/target/kubeaccel.jar}, the shaded CLI), run as the DaemonSet and the extender
 * Deployment run it: a vGPU agent process on a simulated node, with a kubelet stand-in, publishes its cards to an API
 * server (fabric8's mock, in this process); an extender process caches nodes and pods, passes a share pod onto that
 * node and binds it. The other tests run the modules' own class path; this one finds what the shaded jar lacks or
 * merged wrongly (service files, model classes left out of it) on the Kubernetes paths of the agent and the extender.
 */
class ShippedJarTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NODE = "gpu-a";

  @TempDir
  Path dir;

  private KubernetesMockServer server;
  private KubernetesClient client;
  private KubeletStandIn kubelet;
  private PodResourcesStandIn podResources;
  private final List<Process> processes = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void startApiServer() {
    server = new KubernetesMockServer(
        new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    server.init();
    client = server.createClient();
  }

  @AfterEach
  void stop() throws InterruptedException {
    for (Process process : processes) {
      process.destroy();
    }
    for (Process process : processes) {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
    server.destroy();
    client.close();
    if (podResources != null) {
      podResources.close();
    }
    if (kubelet != null) {
      kubelet.close();
    }
  }

  @Test
  void theVgpuAgentPublishesItsCardsAndTheExtenderPlacesAndBindsASharePodOnThem() throws Exception {
    client
        .nodes()
        .resource(new NodeBuilder()
            .withNewMetadata()
            .withName(NODE)
            .addToLabels("nvidia-device-enable", "vgpu")
            .endMetadata()
            .build())
        .create();
    Path kubeconfig = writeKubeconfig();

    Path node = dir.resolve("node");
    String written = run(List.of("simulate-node", "--dir", node.toString()));
    Matcher flags = Pattern.compile("agent flags \\(pgpu, vgpu, mps\\): (.+)").matcher(written);
    assertThat(flags.find()).as(written).isTrue();
    Path deviceDir = Files.createDirectories(dir.resolve("device-plugins"));
    kubelet = KubeletStandIn.start(deviceDir);
    Path podResourcesSocket = dir.resolve("pod-resources.sock");
    podResources = PodResourcesStandIn.start(podResourcesSocket, kubelet);
    List<String> agent = new ArrayList<>(List.of("vgpu"));
    agent.addAll(List.of(flags.group(1).trim().split(" ")));
    agent.addAll(List.of(
        "--device-plugin-dir=" + deviceDir,
        "--pod-resources-socket=" + podResourcesSocket,
        "--state-dir=" + dir.resolve("state"),
        "--hook-path=" + dir.resolve("hook"),
        "--node-name=" + NODE,
        "--kubeconfig=" + kubeconfig,
        "--metrics-address=off"));
    spawn(agent, dir.resolve("agent.log"));
    try {
      kubelet.awaitRegistration("tencent.com/vcuda-core", WAIT);
      kubelet.awaitRegistration("tencent.com/vcuda-memory", WAIT);
    } catch (IllegalStateException e) {
      throw new AssertionError(e.getMessage() + "; agent log: " + log("agent.log"), e);
    }

    int port = freePort();
    spawn(
        List.of(
            "extender",
            "--kubeconfig=" + kubeconfig,
            "--address=127.0.0.1",
            "--port=" + port,
            "--assign-at=bind"),
        dir.resolve("extender.log"));

    Pod pod = client
        .pods()
        .inNamespace("ml")
        .resource(new PodBuilder()
            .withNewMetadata()
            .withNamespace("ml")
            .withName("train")
            .endMetadata()
            .withNewSpec()
            .addToContainers(new ContainerBuilder()
                .withName("main")
                .withImage("cuda")
                .withNewResources()
                .withLimits(Map.of(
                    "tencent.com/vcuda-core", new Quantity("50"),
                    "tencent.com/vcuda-memory", new Quantity("8")))
                .endResources()
                .build())
            .endSpec()
            .withNewStatus()
            .withPhase("Pending")
            .endStatus()
            .build())
        .create();
    String podJson = client.getKubernetesSerialization().asJson(pod);

    // The extender passes the node once it has the cards the agent published in its node cache.
    String filter = "";
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline && !filter.contains("\"NodeNames\":[\"" + NODE + "\"]")) {
      filter =
          post(port, "predicates", "{\"Pod\":" + podJson + ",\"NodeNames\":[\"" + NODE + "\"]}");
      Thread.sleep(100);
    }
    assertThat(filter)
        .as("predicates; agent log: %s; extender log: %s", log("agent.log"), log("extender.log"))
        .contains("\"NodeNames\":[\"" + NODE + "\"]");
    Node published = client.nodes().withName(NODE).get();
    assertThat(published.getMetadata().getAnnotations()).containsKey("kubeaccel.io/gpus");

    String bind = post(
        port,
        "bind",
        "{\"PodName\":\"train\",\"PodNamespace\":\"ml\",\"PodUID\":\""
            + pod.getMetadata().getUid()
            + "\",\"Node\":\""
            + NODE
            + "\"}");
    assertThat(bind)
        .as("bind; extender log: %s", log("extender.log"))
        .isEqualTo("200 {\"Error\":\"\"}");
    Pod bound = client.pods().inNamespace("ml").withName("train").get();
    assertThat(bound.getMetadata().getAnnotations())
        .as("the card the extender chose for the container")
        .containsKey("tencent.com/predicate-gpu-idx-0")
        .containsEntry("tencent.com/predicate-node", NODE);
  }

  private Path writeKubeconfig() throws IOException {
    String url = server.url("/").replaceAll("/$", "");
    return Files.writeString(
        dir.resolve("kubeconfig"),
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: mock",
            "  cluster:",
            "    server: " + url,
            "users:",
            "- name: test",
            "  user:",
            "    token: test",
            "contexts:",
            "- name: mock",
            "  context:",
            "    cluster: mock",
            "    user: test",
            "current-context: mock",
            ""));
  }

  private static List<String> java(List<String> arguments) {
    Path jar = Repository.root().resolve("agent/target/kubeaccel.jar");
    assertThat(jar)
        .as("the shaded jar, built by the agent module's package phase (mvn package or verify)")
        .isRegularFile();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(arguments);
    return command;
  }

  private String run(List<String> arguments) throws IOException, InterruptedException {
    Path output = dir.resolve("run.log");
    Process process = new ProcessBuilder(java(arguments))
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
    if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(arguments + " did not finish within " + WAIT);
    }
    String text = Files.readString(output);
    assertThat(process.exitValue()).as(text).isZero();
    return text;
  }

  private void spawn(List<String> arguments, Path log) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(java(arguments)).redirectErrorStream(true).redirectOutput(log.toFile());
    // The API server is on this machine: a proxy setting must not send the agents elsewhere.
    builder.environment().keySet().removeIf(name -> name.toLowerCase().endsWith("_proxy"));
    processes.add(builder.start());
  }

  private String log(String name) throws IOException {
    Path file = dir.resolve(name);
    return Files.exists(file) ? Files.readString(file) : "(none)";
  }

  private String post(int port, String verb, String body) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/scheduler/" + verb))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() + " " + response.body();
    } catch (IOException notListeningYet) {
      return "not listening: " + notListeningYet;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
