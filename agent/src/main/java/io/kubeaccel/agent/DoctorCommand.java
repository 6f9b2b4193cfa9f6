package io.kubeaccel.agent;

import io.kubeaccel.agent.doctor.Doctor;
import io.kubeaccel.agent.doctor.DoctorContext;
import io.kubeaccel.agent.doctor.DoctorMode;
import io.kubeaccel.agent.doctor.DoctorReport;
import io.kubeaccel.agent.doctor.HostPaths;
import io.kubeaccel.agent.doctor.KubeAccess;
import io.kubeaccel.agent.doctor.NvmlProbe;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Node preflight checks: every prerequisite of the modes, with a fix for each problem. */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description = {
      "Check this node's prerequisites for kubeaccel: NVML and the driver, CUDA version, compute capability, MIG,"
          + " device nodes, kubelet sockets, NVIDIA container runtime and toolkit, the node's mode label and the"
          + " Kubernetes version.",
      "Prints CHECK, STATUS (PASS/WARN/FAIL/SKIP) and DETAIL, with a FIX line under every WARN and FAIL.",
      "Exit status: 0 when no check fails, 1 when one does, 2 for usage errors."
    })
final class DoctorCommand implements Callable<Integer> {

  /** Output format. */
  enum Output {
    TABLE,
    JSON
  }

  @Spec
  CommandSpec spec;

  @Mixin
  NodeOptions node;

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      converter = ModeConverter.class,
      description =
          "The mode to check for: pgpu, vgpu or mps. Without it, every mode's requirements are"
              + " reported and mode-specific ones only warn.")
  DoctorMode mode;

  @Option(
      names = "--output",
      paramLabel = "FORMAT",
      defaultValue = "table",
      converter = OutputConverter.class,
      description = "table or json (one object: checks and summary). Default: ${DEFAULT-VALUE}.")
  Output output;

  @Option(
      names = "--containerd-config",
      paramLabel = "FILE",
      defaultValue = "/etc/containerd/config.toml",
      description = "containerd's configuration. Default: ${DEFAULT-VALUE}.")
  Path containerdConfig;

  @Option(
      names = "--docker-config",
      paramLabel = "FILE",
      defaultValue = "/etc/docker/daemon.json",
      description = "docker's daemon.json. Default: ${DEFAULT-VALUE}.")
  Path dockerConfig;

  @Option(
      names = "--nvidia-ctk",
      paramLabel = "FILE",
      defaultValue = "/usr/bin/nvidia-ctk",
      description =
          "The NVIDIA container toolkit CLI, run with --version (5 s limit). Default: ${DEFAULT-VALUE}.")
  Path nvidiaCtk;

  @Option(
      names = "--pod-resources-socket",
      paramLabel = "FILE",
      description =
          "The kubelet's PodResources socket. Default: pod-resources/kubelet.sock beside the"
              + " device-plugin directory.")
  Path podResourcesSocket;

  @Option(
      names = "--node-name",
      paramLabel = "NAME",
      defaultValue = "${env:NODE_NAME}",
      description = "This node's name in the cluster (env NODE_NAME). Default: the host name.")
  String nodeName;

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description =
          "Kubeconfig for the API server. Default: KUBECONFIG, ~/.kube/config or the pod's service"
              + " account. Unreachable: the cluster checks are skipped.")
  Path kubeconfig;

  @Option(
      names = "--check-timeout",
      paramLabel = "SECONDS",
      defaultValue = "20",
      description =
          "How long each check may take before it fails as hung. Default: ${DEFAULT-VALUE}.")
  int checkTimeoutSeconds;

  @Override
  public Integer call() {
    if (checkTimeoutSeconds < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--check-timeout must be at least 1 second, got " + checkTimeoutSeconds);
    }
    // The report is doctor's output; library log lines (inventory read, client chatter) would only
    // interleave.
    boolean levelGiven = spec.commandLine().getParseResult().hasMatchedOption("--log-level");
    Logging.configure(node.logging.format, levelGiven ? node.logging.level : "error");
    HostPaths paths = new HostPaths(
        node.devRoot,
        node.procRoot,
        node.deviceDir,
        podResourcesSocket != null
            ? podResourcesSocket
            : HostPaths.podResourcesSocketFor(node.deviceDir),
        containerdConfig,
        dockerConfig,
        nvidiaCtk);
    NodeName name = nodeName();
    DoctorReport report;
    try (KubeAccess kube =
        KubeAccess.fromKubeconfig(Optional.ofNullable(kubeconfig), name.name(), name.source())) {
      DoctorContext ctx = new DoctorContext(
          Optional.ofNullable(mode), paths, NvmlProbe.of(node.nvmlPath(), node.sysRoot), kube);
      report =
          new Doctor(Doctor.standardChecks(), Duration.ofSeconds(checkTimeoutSeconds)).run(ctx);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(output == Output.JSON ? report.json() : report.table());
    out.flush();
    return report.exitCode();
  }

  /** The node's name and where it came from: the option or NODE_NAME, else the host name as the kubelet uses it. */
  private NodeName nodeName() {
    if (nodeName != null && !nodeName.isBlank()) {
      boolean flag = spec.commandLine().getParseResult().hasMatchedOption("--node-name");
      return new NodeName(nodeName.strip(), flag ? "--node-name" : "NODE_NAME");
    }
    try {
      Path file = node.procRoot.resolve("sys/kernel/hostname");
      String host = Files.isReadable(file)
          ? Files.readString(file).strip()
          : InetAddress.getLocalHost().getHostName();
      // The kubelet registers the lower-cased host name unless --hostname-override says otherwise.
      return new NodeName(
          host.toLowerCase(Locale.ROOT),
          "the host name; pass --node-name if the kubelet overrides it");
    } catch (IOException e) {
      return new NodeName("localhost", "a fallback (the host name is unreadable: " + e + ")");
    }
  }

  private record NodeName(String name, String source) {}

  /** Parses --mode, reporting an unknown one as a usage error listing the modes. */
  static final class ModeConverter implements CommandLine.ITypeConverter<DoctorMode> {
    @Override
    public DoctorMode convert(String value) {
      try {
        return DoctorMode.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** Parses --output, case-insensitively. */
  static final class OutputConverter implements CommandLine.ITypeConverter<Output> {
    @Override
    public Output convert(String value) {
      for (Output output : Output.values()) {
        if (output.name().equalsIgnoreCase(value)) {
          return output;
        }
      }
      throw new CommandLine.TypeConversionException(
          "unknown output \"" + value + "\"; choose one of: table, json");
    }
  }
}
