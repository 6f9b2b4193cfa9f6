package io.kubeaccel.agent;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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

  @Spec
  CommandSpec spec;

  /**
   * The JVM options the image's entrypoint ({@code deploy/image/kubeaccel}) starts the CLI with; {@code bench --help}
   * prints them, and the deploy tests check the entrypoint against that. -XX:-UsePerfData: no hsperfdata file, the
   * image's root filesystem is read-only.
   */
  static final String IMAGE_JVM_OPTIONS = "-XX:+UseSerialGC -Xms8m -Xmx32m -Xss256k"
      + " -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=16m"
      + " -XX:MaxMetaspaceSize=48m -XX:MaxDirectMemorySize=16m -Dio.netty.allocator.type=unpooled"
      + " -XX:TrimNativeHeapInterval=2000 -Xlog:cds=off -Xlog:cds+dynamic=off -XX:-UsePerfData";

  static final List<String> AGENT_JVM_OPTIONS = List.of(IMAGE_JVM_OPTIONS.split(" "));

  /** The environment the image's entrypoint sets: fewer glibc malloc arenas keep a small JVM's resident memory small. */
  static final Map<String, String> AGENT_ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "2");

  @Option(
      names = "--allocations",
      paramLabel = "N",
      defaultValue = "10000",
      description = "Allocate calls to time (after 5000 warm-up calls). Default: ${DEFAULT-VALUE}.")
  int allocations;

  @Option(
      names = "--restarts",
      paramLabel = "N",
      defaultValue = "5",
      description = "Kubelet restarts to time. Default: ${DEFAULT-VALUE}.")
  int restarts;

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      defaultValue = "pgpu",
      description =
          "pgpu: the agent as a separate process (start, Allocate, health, restarts, memory); vgpu: the"
              + " vGPU agent with --pods share pods on 8 simulated 80 GB cards. Default: ${DEFAULT-VALUE}.")
  String mode;

  @Option(
      names = "--pods",
      paramLabel = "N",
      defaultValue = "110",
      description =
          "Share pods to admit with --mode vgpu (the kubelet's default pod limit). Default: ${DEFAULT-VALUE}.")
  int pods;

  @Option(
      names = "--no-kubernetes",
      description =
          "Run the agent without a node name, so without its Kubernetes client (no node labels, no Events): the core"
              + " runtime alone. By default the agent gets a node name and an in-memory API server (this process) and"
              + " publishes its labels as the DaemonSet's agent does.")
  boolean noKubernetes;

  @Option(
      names = "--no-appcds",
      description =
          "Start the agent without an application class-data archive. By default the bench first records one in a"
              + " training run, as the image build does, and starts the measured agent with it.")
  boolean noAppCds;

  @Option(
      names = "--record-archive",
      paramLabel = "FILE",
      description =
          "Measure nothing: run the pGPU agent once as --mode pgpu does (with Kubernetes unless --no-kubernetes),"
              + " record the application class-data archive of that run into FILE, and exit. The image build ships"
              + " the archive it records so.")
  Path recordArchive;

  @Option(
      names = "--jvm-option",
      paramLabel = "OPTION",
      description =
          "JVM option for the agent process, repeatable; replaces the image's defaults when given. The image's: "
              + IMAGE_JVM_OPTIONS)
  List<String> jvmOptions = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Logging.configure(Logging.Format.TEXT, "warn");
    if (allocations < 1 || restarts < 1) {
      throw new IllegalArgumentException("--allocations and --restarts must be at least 1");
    }
    PrintWriter out = spec.commandLine().getOut();
    if (mode.equals("vgpu")) {
      if (pods < 1 || pods > 110) {
        throw new IllegalArgumentException(
            "--pods must be between 1 and 110 (8 cards of 100 cores hold them)");
      }
      return VgpuBench.run(out, pods);
    }
    if (!mode.equals("pgpu")) {
      throw new IllegalArgumentException("--mode " + mode + " is not one of: pgpu, vgpu");
    }
    List<String> jvm = jvmOptions.isEmpty() ? AGENT_JVM_OPTIONS : jvmOptions;
    PgpuBench bench = new PgpuBench(allocations, restarts, !noKubernetes);
    if (recordArchive != null) {
      return bench.record(out, recordArchive, jvm);
    }
    return bench.run(out, jvm, !noAppCds);
  }

  /** "p50 A ms  p99 B ms  max C ms" of {@code samples} (milliseconds) with {@code decimals} digits. */
  static String summary(double[] samples, int decimals) {
    String number = "%." + decimals + "f";
    return String.format(
        "p50 " + number + " ms  p99 " + number + " ms  max " + number + " ms",
        percentile(samples, 50),
        percentile(samples, 99),
        percentile(samples, 100));
  }

  static double percentile(double[] samples, double percentile) {
    double[] sorted = samples.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
