package io.kubeaccel.agent.doctor;

import java.util.ArrayList;
import java.util.List;

/**
 * NVIDIA's container runtime is configured: containerd's {@code config.toml} (or docker's {@code daemon.json}) has an
 * {@code nvidia} runtime running {@code nvidia-container-runtime}, ideally as the default runtime.
 */
final class ContainerRuntimeCheck implements DoctorCheck {

  static final String NAME = "container-runtime";

  private static final String CONFIGURE_CONTAINERD =
      "`sudo nvidia-ctk runtime configure --runtime=containerd --set-as-default && sudo systemctl restart"
          + " containerd`";
  private static final String CONFIGURE_DOCKER =
      "`sudo nvidia-ctk runtime configure --runtime=docker --set-as-default && sudo systemctl restart docker`";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CheckResult run(DoctorContext ctx) {
    List<RuntimeConfig.MalformedException> malformed = new ArrayList<>();
    RuntimeConfig containerd = null;
    RuntimeConfig docker = null;
    try {
      containerd = ContainerdConfigReader.read(ctx.paths().containerdConfig());
    } catch (RuntimeConfig.MalformedException e) {
      malformed.add(e);
    }
    try {
      docker = DockerConfigReader.read(ctx.paths().dockerConfig());
    } catch (RuntimeConfig.MalformedException e) {
      malformed.add(e);
    }
    if (!malformed.isEmpty()) {
      return malformed(malformed);
    }
    for (RuntimeConfig config : List.of(containerd, docker)) {
      if (config.hasNvidiaRuntime() && !config.nvidiaBinaryOk()) {
        return CheckResult.fail(
            NAME,
            config.runtime() + "'s nvidia runtime in " + config.nvidiaDefinedIn() + " runs "
                + (config.nvidiaBinary().isEmpty()
                    ? "no binary of its own (no BinaryName: plain runc)"
                    : "\"" + config.nvidiaBinary() + "\"")
                + ", not " + RuntimeConfig.NVIDIA_RUNTIME_BINARY,
            "let the toolkit rewrite it: "
                + (config.runtime().equals("docker") ? CONFIGURE_DOCKER : CONFIGURE_CONTAINERD));
      }
    }
    if (containerd.hasNvidiaRuntime()) {
      return verdict(containerd, CONFIGURE_CONTAINERD);
    }
    if (docker.hasNvidiaRuntime()) {
      if (containerd.exists()) {
        return CheckResult.warn(
            NAME,
            "docker's " + docker.file() + " has the nvidia runtime, but containerd's "
                + containerd.file()
                + " has none: since Kubernetes 1.24 the kubelet runs pods through"
                + " containerd (or cri-dockerd)",
            "unless this node runs cri-dockerd, configure containerd too: " + CONFIGURE_CONTAINERD);
      }
      return verdict(docker, CONFIGURE_DOCKER);
    }
    String found = describeMissing(containerd) + "; " + describeMissing(docker);
    return CheckResult.fail(
        NAME,
        found,
        "install the NVIDIA container toolkit and configure the runtime: " + CONFIGURE_CONTAINERD
            + " (docker: " + CONFIGURE_DOCKER
            + "); if the file lives elsewhere, pass --containerd-config"
            + " or --docker-config");
  }

  private static CheckResult verdict(RuntimeConfig config, String configure) {
    String found = config.runtime() + " (" + config.nvidiaDefinedIn() + "): runtime nvidia runs "
        + config.nvidiaBinary();
    if (config.nvidiaIsDefault()) {
      return CheckResult.pass(NAME, found + " and is the default runtime");
    }
    String current = config.defaultRuntime().isEmpty()
        ? "runc (" + config.runtime() + "'s default)"
        : "\"" + config.defaultRuntime() + "\"";
    return CheckResult.warn(
        NAME,
        found + ", but the default runtime is " + current
            + ": pods without runtimeClassName: nvidia" + " get no GPU access",
        "make it the default: " + configure
            + "; or create a RuntimeClass named nvidia (handler nvidia)"
            + " and set runtimeClassName: nvidia in GPU pods and in the kubeaccel DaemonSets");
  }

  private static String describeMissing(RuntimeConfig config) {
    if (!config.exists()) {
      return config.file() + " does not exist";
    }
    return config.file() + " has no nvidia runtime"
        + (config.runtime().equals("containerd")
            ? " (plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.nvidia)"
            : " (runtimes.nvidia)");
  }

  private static CheckResult malformed(List<RuntimeConfig.MalformedException> errors) {
    List<String> details = new ArrayList<>();
    List<String> fixes = new ArrayList<>();
    for (RuntimeConfig.MalformedException e : errors) {
      details.add(e.where());
      boolean toml = e.file().toString().endsWith(".toml");
      fixes.add(
          "correct " + e.file() + (e.line() > 0 ? " at line " + e.line() : "") + " (the runtime"
              + " refuses to start with it), then check it with "
              + (toml
                  ? "`containerd config dump`"
                  : "`dockerd --validate --config-file " + e.file() + "`")
              + " and restart " + (toml ? "containerd" : "docker"));
    }
    return CheckResult.fail(NAME, String.join("\n", details), String.join("\n", fixes));
  }
}
