package io.kubeaccel.agent;

import io.kubeaccel.core.server.HostSettings;
import io.kubeaccel.pgpu.GpuResourcePlugin;
import io.kubeaccel.proto.deviceplugin.v1beta1.Device;
import io.kubeaccel.testkit.Await;
import io.kubeaccel.testkit.KubeletStandIn;
import io.kubeaccel.testkit.RegisteredPlugin;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench --mode pgpu}: the pGPU agent as a separate JVM process on a simulated node, this process playing the
 * kubelet over the real unix sockets and, unless told otherwise, the API server. Kept out of {@link BenchCommand},
 * which every CLI process loads: nothing here is loaded, verified or archived unless the bench runs.
 */
final class PgpuBench {

  private static final int WARM_UP_CALLS = 5000;

  private static final String NODE_NAME = "bench-node";

  private static final Duration WAIT = Duration.ofSeconds(30);
  /** How long the agent idles before its RSS at rest is read (see {@link #awaitRestingRss}). */
  private static final long REST_MILLIS = 8000;

  private final int allocations;
  private final int restarts;
  private final boolean kubernetes;

  PgpuBench(int allocations, int restarts, boolean kubernetes) {
    this.allocations = allocations;
    this.restarts = restarts;
    this.kubernetes = kubernetes;
  }

  /** Measures with {@code jvm} options; with {@code appCds}, after a training run records a class-data archive. */
  int run(PrintWriter out, List<String> jvm, boolean appCds) throws Exception {
    Path archive = Files.createTempFile("kubeaccel-bench", ".jsa");
    try {
      List<String> measured = new ArrayList<>(jvm);
      if (appCds) {
        Files.delete(archive); // the JVM writes it anew
        train(List.of("-XX:ArchiveClassesAtExit=" + archive), jvm);
        measured.add("-XX:SharedArchiveFile=" + archive);
      }
      return measure(out, measured);
    } finally {
      Files.deleteIfExists(archive);
    }
  }

  /**
   * Records the class-data archive of one agent run (the training run of {@link #run}) into {@code archive}.
   *
   * @return 0 once the archive is written
   * @throws IllegalArgumentException if {@code archive}'s directory does not exist or the file is a directory
   */
  int record(PrintWriter out, Path archive, List<String> jvm) throws Exception {
    Path file = archive.toAbsolutePath();
    if (!Files.isDirectory(file.getParent()) || Files.isDirectory(file)) {
      throw new IllegalArgumentException(
          "--record-archive " + archive + ": needs a file in an existing directory");
    }
    // The JVM writes it anew, and a stale one would not tell a failed run.
    Files.deleteIfExists(file);
    // The agent's options silence CDS; its warnings say why an archive was not written (they go
    // with the
    // agent's log attached to the failure).
    train(
        List.of("-XX:ArchiveClassesAtExit=" + file, "-Xlog:cds=warning,cds+dynamic=warning"),
        jvm,
        file);
    out.printf(
        "kubeaccel bench: recorded %s (%.1f MiB) from one pGPU agent run%s%n",
        file, Files.size(file) / 1048576.0, kubernetes ? " with Kubernetes" : "");
    return 0;
  }

  /** One agent run on a throw-away node, registered and stopped, so the JVM records the classes it loaded. */
  private void train(List<String> extra, List<String> jvm) throws Exception {
    train(extra, jvm, null);
  }

  /** With {@code archive} set, the run fails (with the agent's log) unless the agent wrote it on exit. */
  private void train(List<String> extra, List<String> jvm, Path archive) throws Exception {
    try (SimulatedNode node = SimulatedNode.create(NodePreset.FOUR_GPU);
        KubeletStandIn kubelet = KubeletStandIn.start(node.deviceDir());
        ApiServerStandIn api = kubernetes ? ApiServerStandIn.start(NODE_NAME) : null) {
      List<String> options = new ArrayList<>(jvm);
      options.addAll(extra);
      Path log = Files.createTempFile("kubeaccel-bench-train", ".log");
      Process agent = null;
      try {
        agent = spawn(node, api, options, log);
        RegisteredPlugin gpus = kubelet.awaitRegistration(GpuResourcePlugin.GPU, WAIT);
        awaitStartUpWork(api); // the archive then holds what the agent at rest has loaded
        kubelet.admit("train", "main", GpuResourcePlugin.GPU, 1);
        gpus.allocate(List.of(List.of(gpus.devices().get(0).getID())));
        agent.destroy();
        if (!agent.waitFor(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("training run did not exit after SIGTERM");
        }
        if (archive != null && !Files.isRegularFile(archive)) {
          throw new IllegalStateException("the agent exited without writing " + archive
              + " (the JVM archives classes from jar files only: run this from kubeaccel.jar, e.g. java"
              + " -jar agent/target/kubeaccel.jar bench --record-archive FILE)");
        }
      } catch (Exception e) {
        throw withAgentLog(e, log);
      } finally {
        stop(agent, log);
      }
    }
  }

  private static void stop(Process agent, Path log) throws IOException {
    if (agent != null) {
      agent.destroyForcibly();
    }
    Files.deleteIfExists(log);
  }

  /** {@code failure} with the end of the agent's log attached, which goes with the temporary file otherwise. */
  private static Exception withAgentLog(Exception failure, Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
      failure.addSuppressed(new IllegalStateException("agent log (last 40 lines):\n" + tail));
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e);
    }
    return failure;
  }

  /** With a node name, start-up work includes the first label write, which follows registration. */
  private void awaitStartUpWork(ApiServerStandIn api) {
    if (kubernetes) {
      Await.until(
          "node labels published",
          WAIT,
          () -> api.nodeLabels().containsKey("nvidia.com/gpu.count"));
    }
  }

  private Integer measure(PrintWriter out, List<String> jvm) throws Exception {
    try (SimulatedNode node = SimulatedNode.create(NodePreset.FOUR_GPU);
        KubeletStandIn kubelet = KubeletStandIn.start(node.deviceDir());
        ApiServerStandIn api = kubernetes ? ApiServerStandIn.start(NODE_NAME) : null) {
      Path log = Files.createTempFile("kubeaccel-bench-agent", ".log");
      long spawned = System.nanoTime();
      Process agent = null;
      try {
        agent = spawn(node, api, jvm, log);
        RegisteredPlugin gpus = kubelet.awaitRegistration(GpuResourcePlugin.GPU, WAIT);
        double startMs = SimulateCommand.ms(spawned, gpus.registeredNanos());
        // At rest means after the start-up work.
        awaitStartUpWork(api);
        long rssRest = awaitRestingRss(agent);
        double[] allocate = timeAllocations(gpus);
        long rssAfter = rss(agent.pid());
        double[] reRegister = timeRestarts(kubelet);
        double[] health = timeHealthChanges(node, kubelet);
        long stopped = System.nanoTime();
        agent.destroy(); // SIGTERM, as the kubelet's container runtime stops the agent
        boolean exited = agent.waitFor(10, TimeUnit.SECONDS);
        double stopMs = SimulateCommand.ms(stopped, System.nanoTime());
        boolean socketGone =
            !Files.exists(node.deviceDir().resolve(HostSettings.socketName(GpuResourcePlugin.GPU)));
        out.printf(
            "kubeaccel bench: pGPU agent in its own JVM on a simulated node of 4 GPUs; this process is the kubelet%n");
        out.printf("  agent JVM: %s%n", String.join(" ", jvm));
        out.printf(
            "  Kubernetes: %s%n",
            !kubernetes
                ? "off (no node name: no labels, no Events)"
                : "node " + NODE_NAME + " on an in-memory API server (this process), "
                    + api.nodePatches() + " node patches");
        out.printf("  start -> registered              %8.1f ms%n", startMs);
        out.printf(
            "  Allocate latency (%d calls)   %s%n", allocations, BenchCommand.summary(allocate, 3));
        out.printf(
            "  XID -> ListAndWatch update       p50 %.1f ms  max %.1f ms  (%d events)%n",
            BenchCommand.percentile(health, 50),
            BenchCommand.percentile(health, 100),
            health.length);
        out.printf(
            "  kubelet restart -> re-registered p50 %.1f ms  max %.1f ms  (%d restarts)%n",
            BenchCommand.percentile(reRegister, 50),
            BenchCommand.percentile(reRegister, 100),
            reRegister.length);
        out.printf("  RSS at rest                      %8.1f MiB%n", rssRest / 1024.0);
        out.printf("  RSS after the Allocate calls     %8.1f MiB%n", rssAfter / 1024.0);
        out.printf(
            "  SIGTERM -> exited                %8.1f ms  (exited: %s, socket removed: %s)%n",
            stopMs, exited, socketGone);
        return exited && socketGone ? 0 : 1;
      } catch (Exception e) {
        throw withAgentLog(e, log);
      } finally {
        stop(agent, log);
      }
    }
  }

  private Process spawn(SimulatedNode node, ApiServerStandIn api, List<String> jvm, Path log)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvm);
    if (kubernetes) {
      command.addAll(api.clientOptions());
    }
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "pgpu"));
    command.addAll(node.agentArguments());
    command.add(node.devicePluginDirArgument());
    // Metrics on, as the DaemonSet runs the agent, but on an ephemeral loopback port: no clash with
    // :9400.
    command.addAll(List.of("--metrics-address=127.0.0.1:0", "--log-level", "warn"));
    // The simulated node has no PodResources: never the host's real kubelet.
    command.add("--pod-resources-socket=" + node.root().resolve("pod-resources/kubelet.sock"));
    if (kubernetes) {
      command.add("--node-name=" + NODE_NAME);
    }
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(BenchCommand.AGENT_ENVIRONMENT);
    // The API server is this process on loopback: a proxy from the environment (an image build's,
    // say) would send
    // the agent's calls elsewhere.
    builder
        .environment()
        .keySet()
        .removeIf(name -> name.equalsIgnoreCase("http_proxy")
            || name.equalsIgnoreCase("https_proxy")
            || name.equalsIgnoreCase("all_proxy")
            || name.equalsIgnoreCase("no_proxy"));
    return builder.start();
  }

  private double[] timeAllocations(RegisteredPlugin gpus) {
    List<List<String>> request = List.of(List.of(gpus.devices().get(0).getID()));
    for (int i = 0; i < WARM_UP_CALLS; i++) {
      gpus.allocate(request);
    }
    double[] samples = new double[allocations];
    for (int i = 0; i < allocations; i++) {
      long begin = System.nanoTime();
      gpus.allocate(request);
      samples[i] = (System.nanoTime() - begin) / 1_000_000.0;
    }
    return samples;
  }

  private double[] timeRestarts(KubeletStandIn kubelet) throws IOException {
    double[] samples = new double[restarts];
    for (int i = 0; i < restarts; i++) {
      int registered = kubelet.registrationCount(GpuResourcePlugin.GPU);
      long listening = kubelet.restart();
      RegisteredPlugin again =
          kubelet.awaitRegistrationCount(GpuResourcePlugin.GPU, registered + 1, WAIT);
      samples[i] = SimulateCommand.ms(listening, again.registeredNanos());
    }
    return samples;
  }

  /** Injects a critical XID into each GPU in turn (a card does not recover within the run). */
  private static double[] timeHealthChanges(SimulatedNode node, KubeletStandIn kubelet) {
    RegisteredPlugin gpus = kubelet.awaitRegistration(GpuResourcePlugin.GPU, WAIT);
    List<String> ids = gpus.devices().stream().map(Device::getID).toList();
    double[] samples = new double[ids.size()];
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      long injected = System.nanoTime();
      node.nvml().injectXid(id, 79);
      gpus.awaitDevices(
          list -> list.stream()
              .anyMatch(d -> d.getID().equals(id) && d.getHealth().equals("Unhealthy")),
          WAIT);
      samples[i] = SimulateCommand.ms(injected, gpus.lastUpdateNanos());
    }
    return samples;
  }

  /**
   * RSS once the agent has been idle for eight seconds after registering: what it holds when nothing happens. Start-up
   * work settles in steps: the JVM hands its compiler's freed arenas back to malloc every 5 s, and the image's native
   * heap trimmer returns free malloc memory to the system every 2 s, so a shorter wait measures start-up leftovers.
   */
  private static long awaitRestingRss(Process agent) throws InterruptedException, IOException {
    // A measurement pause, not synchronisation: "at rest" means after start-up work has settled.
    Thread.sleep(REST_MILLIS);
    return rss(agent.pid());
  }

  /** Resident set size of {@code pid} in KiB, from /proc. */
  static long rss(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("no VmRSS for process " + pid);
  }
}
