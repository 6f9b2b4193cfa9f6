package io.kubeaccel.agent;

import io.kubeaccel.pgpu.WholeCardPlugin;
import io.kubeaccel.proto.deviceplugin.v1beta1.Device;
import io.kubeaccel.testkit.KubeletStandIn;
import io.kubeaccel.testkit.RegisteredPlugin;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures the pGPU agent the way the kubelet experiences it: the agent runs as a separate JVM process on a simulated
 * node, with the JVM options the image uses; this process plays the kubelet over the real unix sockets.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measure the pGPU agent end to end: start to registration, Allocate latency, ListAndWatch update latency after"
          + " a health change, re-registration after a kubelet restart, and resident memory. The agent runs as a"
          + " separate process on a simulated node; this process acts as the kubelet."
    })
final class BenchCommand implements Callable<Integer> {

  /** The JVM options the agent image runs with; keep in step with the Dockerfile. */
  static final List<String> AGENT_JVM_OPTIONS =
      List.of(
          "-XX:+UseSerialGC",
          "-Xmx64m",
          "-Xss512k",
          "-XX:TieredStopAtLevel=1",
          "-XX:CICompilerCount=1",
          "-XX:ReservedCodeCacheSize=16m",
          "-XX:MaxMetaspaceSize=48m",
          "-XX:MaxDirectMemorySize=16m",
          "-Dio.netty.allocator.type=unpooled");

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Option(
      names = "--allocations",
      paramLabel = "N",
      defaultValue = "10000",
      description = "Allocate calls to time (after 1000 warm-up calls). Default: ${DEFAULT-VALUE}.")
  int allocations;

  @Option(
      names = "--restarts",
      paramLabel = "N",
      defaultValue = "5",
      description = "Kubelet restarts to time. Default: ${DEFAULT-VALUE}.")
  int restarts;

  @Option(
      names = "--jvm-option",
      paramLabel = "OPTION",
      description = "JVM option for the agent process, repeatable; replaces the image's defaults when given.")
  List<String> jvmOptions = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Logging.configure(Logging.Format.TEXT, "warn");
    if (allocations < 1 || restarts < 1) {
      throw new IllegalArgumentException("--allocations and --restarts must be at least 1");
    }
    PrintStream out = System.out;
    List<String> jvm = jvmOptions.isEmpty() ? AGENT_JVM_OPTIONS : jvmOptions;
    try (SimulatedNode node = SimulatedNode.create(NodePreset.FOUR_GPU);
        KubeletStandIn kubelet = KubeletStandIn.start(node.deviceDir())) {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(jvm);
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "pgpu"));
      command.addAll(node.agentArguments());
      command.addAll(List.of("--log-level", "warn"));
      Path log = Files.createTempFile("kubeaccel-bench-agent", ".log");
      long spawned = System.nanoTime();
      Process agent = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      try {
        RegisteredPlugin gpus = kubelet.awaitRegistration(WholeCardPlugin.RESOURCE, WAIT);
        double startMs = SimulateCommand.ms(spawned, gpus.registeredNanos());
        long rssRest = awaitRestingRss(agent);
        double[] allocate = timeAllocations(gpus);
        long rssAfter = rss(agent.pid());
        double[] reRegister = timeRestarts(kubelet);
        double[] health = timeHealthChanges(node, kubelet);
        long stopped = System.nanoTime();
        agent.destroy(); // SIGTERM, as the kubelet's container runtime stops the agent
        boolean exited = agent.waitFor(10, TimeUnit.SECONDS);
        double stopMs = SimulateCommand.ms(stopped, System.nanoTime());
        boolean socketGone = !Files.exists(node.deviceDir().resolve("kubeaccel-nvidia.com_gpu.sock"));
        out.printf("kubeaccel bench (pGPU agent, 4 simulated GPUs, agent JVM: %s)%n", String.join(" ", jvm));
        out.printf("  start -> registered              %8.1f ms%n", startMs);
        out.printf("  Allocate latency (%d calls)   p50 %.3f ms  p99 %.3f ms  max %.3f ms%n",
            allocations, percentile(allocate, 50), percentile(allocate, 99), percentile(allocate, 100));
        out.printf("  XID -> ListAndWatch update       p50 %.1f ms  max %.1f ms  (%d events)%n",
            percentile(health, 50), percentile(health, 100), health.length);
        out.printf("  kubelet restart -> re-registered p50 %.1f ms  max %.1f ms  (%d restarts)%n",
            percentile(reRegister, 50), percentile(reRegister, 100), reRegister.length);
        out.printf("  RSS at rest                      %8.1f MiB%n", rssRest / 1024.0);
        out.printf("  RSS after the Allocate calls     %8.1f MiB%n", rssAfter / 1024.0);
        out.printf("  SIGTERM -> exited                %8.1f ms  (exited: %s, socket removed: %s)%n",
            stopMs, exited, socketGone);
        return exited && socketGone ? 0 : 1;
      } finally {
        agent.destroyForcibly();
        Files.deleteIfExists(log);
      }
    }
  }

  private double[] timeAllocations(RegisteredPlugin gpus) {
    List<List<String>> request = List.of(List.of(gpus.devices().get(0).getID()));
    for (int i = 0; i < 1000; i++) {
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
      int registered = kubelet.registrationCount(WholeCardPlugin.RESOURCE);
      long listening = kubelet.restart();
      RegisteredPlugin again = kubelet.awaitRegistrationCount(WholeCardPlugin.RESOURCE, registered + 1, WAIT);
      samples[i] = SimulateCommand.ms(listening, again.registeredNanos());
    }
    return samples;
  }

  /** Injects a critical XID into each GPU in turn (a card does not recover within the run). */
  private static double[] timeHealthChanges(SimulatedNode node, KubeletStandIn kubelet) {
    RegisteredPlugin gpus = kubelet.awaitRegistration(WholeCardPlugin.RESOURCE, WAIT);
    List<String> ids = gpus.devices().stream().map(Device::getID).toList();
    double[] samples = new double[ids.size()];
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      long injected = System.nanoTime();
      node.nvml().injectXid(id, 79);
      gpus.awaitDevices(
          list -> list.stream().anyMatch(d -> d.getID().equals(id) && d.getHealth().equals("Unhealthy")), WAIT);
      samples[i] = SimulateCommand.ms(injected, gpus.lastUpdateNanos());
    }
    return samples;
  }

  /** RSS once the agent has been idle for two seconds after registering: what it holds when nothing happens. */
  private static long awaitRestingRss(Process agent) throws InterruptedException, IOException {
    // A measurement pause, not synchronisation: "at rest" means after start-up work has settled.
    Thread.sleep(2000);
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

  static double percentile(double[] samples, double percentile) {
    double[] sorted = samples.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
