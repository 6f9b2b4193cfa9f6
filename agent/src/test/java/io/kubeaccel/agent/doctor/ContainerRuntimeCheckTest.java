package io.kubeaccel.agent.doctor;

import static io.kubeaccel.agent.doctor.DoctorFixtures.paths;
import static io.kubeaccel.agent.doctor.DoctorFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.nvml.NvmlLibraryPath;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** containerd's config.toml and docker's daemon.json: configured, not configured, malformed. */
class ContainerRuntimeCheckTest {

  /** What `nvidia-ctk runtime configure --runtime=containerd --set-as-default` writes into a version 2 config. */
  static final String CONTAINERD_V2_CONFIGURED = """
      version = 2

      [plugins]

        [plugins."io.containerd.grpc.v1.cri"]

          [plugins."io.containerd.grpc.v1.cri".containerd]
            default_runtime_name = "nvidia"

            [plugins."io.containerd.grpc.v1.cri".containerd.runtimes]

              [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia]
                privileged_without_host_devices = false
                runtime_engine = ""
                runtime_root = ""
                runtime_type = "io.containerd.runc.v2"

                [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia.options]
                  BinaryName = "/usr/bin/nvidia-container-runtime"
                  SystemdCgroup = true

              [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                runtime_type = "io.containerd.runc.v2"

                [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                  SystemdCgroup = true
      """;

  static final String CONTAINERD_V2_PLAIN = """
      version = 2
      [plugins."io.containerd.grpc.v1.cri".containerd]
        default_runtime_name = "runc"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
          runtime_type = "io.containerd.runc.v2"
      """;

  @TempDir
  Path root;

  private CheckResult run() {
    NvmlProbe unused = NvmlProbe.of(NvmlLibraryPath.only(root.resolve("none")), root);
    return new ContainerRuntimeCheck()
        .run(DoctorFixtures.context(DoctorMode.PGPU, unused, paths(root)));
  }

  private Path containerd() {
    return paths(root).containerdConfig();
  }

  private Path docker() {
    return paths(root).dockerConfig();
  }

  @Test
  void containerdWithTheNvidiaRuntimeAsDefaultPasses() throws Exception {
    write(containerd(), CONTAINERD_V2_CONFIGURED);
    CheckResult result = run();
    assertThat(result.status()).isEqualTo(CheckStatus.PASS);
    assertThat(result.detail())
        .contains("containerd (" + containerd() + ")")
        .contains("runs /usr/bin/nvidia-container-runtime and is the default runtime");
  }

  @Test
  void containerdVersion3WithLiteralKeysPasses() throws Exception {
    write(containerd(), """
        version = 3
        [plugins.'io.containerd.cri.v1.runtime'.containerd]
          default_runtime_name = 'nvidia'
        [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.nvidia]
          runtime_type = 'io.containerd.runc.v2'
        [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.nvidia.options]
          BinaryName = '/usr/local/nvidia/toolkit/nvidia-container-runtime'
        """);
    CheckResult result = run();
    assertThat(result.status()).isEqualTo(CheckStatus.PASS);
    assertThat(result.detail()).contains("/usr/local/nvidia/toolkit/nvidia-container-runtime");
  }

  @Test
  void theNvidiaCtkDropInImportedByTheMainConfigCounts() throws Exception {
    Path dropIn = write(root.resolve("etc/containerd/conf.d/99-nvidia.toml"), """
        version = 2
        [plugins."io.containerd.grpc.v1.cri".containerd]
          default_runtime_name = "nvidia"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia.options]
          BinaryName = "/usr/bin/nvidia-container-runtime"
        """);
    write(containerd(), "imports = [\"conf.d/*.toml\"]\n" + CONTAINERD_V2_PLAIN);
    CheckResult result = run();
    assertThat(result.status()).isEqualTo(CheckStatus.PASS);
    assertThat(result.detail()).contains("containerd (" + dropIn + ")").contains("default runtime");
  }

  @Test
  void theNvidiaRuntimeThatIsNotDefaultWarnsWithBothWaysOut() throws Exception {
    write(
        containerd(),
        CONTAINERD_V2_CONFIGURED.replace(
            "default_runtime_name = \"nvidia\"", "default_runtime_name = \"runc\""));
    CheckResult result = run();
    assertThat(result.status()).isEqualTo(CheckStatus.WARN);
    assertThat(result.detail()).contains("the default runtime is \"runc\"");
    assertThat(result.fix())
        .contains("nvidia-ctk runtime configure --runtime=containerd --set-as-default")
        .contains("RuntimeClass");
  }

  @Test
  void containerdWithoutTheNvidiaRuntimeFailsWithTheConfigureCommand() throws Exception {
    write(containerd(), CONTAINERD_V2_PLAIN);
    CheckResult result = run();
    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.detail())
        .contains(containerd() + " has no nvidia runtime")
        .contains(docker() + " does not exist");
    assertThat(result.fix())
        .contains("sudo nvidia-ctk runtime configure --runtime=containerd --set-as-default && sudo"
            + " systemctl restart containerd");
  }

  @Test
  void noRuntimeConfigurationAtAllFailsNamingBothFiles() {
    CheckResult result = run();
    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.detail())
        .contains(containerd() + " does not exist")
        .contains(docker() + " does not exist");
    assertThat(result.fix()).contains("--containerd-config");
  }

  @Test
  void aNvidiaRuntimeRunningAnotherBinaryFails() throws Exception {
    write(
        containerd(),
        CONTAINERD_V2_CONFIGURED.replace("/usr/bin/nvidia-container-runtime", "/usr/bin/runc"));
    CheckResult result = run();
    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.detail()).contains("runs \"/usr/bin/runc\", not nvidia-container-runtime");
  }

  @Test
  void aMalformedConfigTomlFailsNamingFileAndLine() throws Exception {
    write(
        containerd(), "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".containerd\n  x = 1\n");
    CheckResult result = run();
    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.detail()).startsWith(containerd() + ":2: expected ']'");
    assertThat(result.fix()).contains("correct " + containerd() + " at line 2");
  }

  @Test
  void aMalformedImportedFileFailsNamingThatFile() throws Exception {
    Path dropIn =
        write(root.resolve("etc/containerd/conf.d/99-nvidia.toml"), "[a]\nBinaryName = nvidia\n");
    write(containerd(), "imports = [\"" + dropIn + "\"]\n");
    CheckResult result = run();
    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.detail()).startsWith(dropIn + ":2: invalid value \"nvidia\"");
  }

  @Test
  void dockerWithTheNvidiaRuntimeAsDefaultPasses() throws Exception {
    write(docker(), """
        {
          "default-runtime": "nvidia",
          "runtimes": {
            "nvidia": {"args": [], "path": "nvidia-container-runtime"}
          }
        }
        """);
    CheckResult result = run();
    assertThat(result.status()).isEqualTo(CheckStatus.PASS);
    assertThat(result.detail()).startsWith("docker (" + docker() + ")");
  }

  @Test
  void dockerWithTheRuntimeButNotAsDefaultWarns() throws Exception {
    write(
        docker(),
        "{\"runtimes\": {\"nvidia\": {\"path\": \"/usr/bin/nvidia-container-runtime\"}}}");
    CheckResult result = run();
    assertThat(result.status()).isEqualTo(CheckStatus.WARN);
    assertThat(result.detail()).contains("runc (docker's default)");
    assertThat(result.fix()).contains("--runtime=docker --set-as-default");
  }

  @Test
  void onlyDockerConfiguredWhileContainerdIsThereWarns() throws Exception {
    write(containerd(), CONTAINERD_V2_PLAIN);
    write(docker(), """
        {"default-runtime": "nvidia", "runtimes": {"nvidia": {"path": "nvidia-container-runtime"}}}
        """);
    CheckResult result = run();
    assertThat(result.status()).isEqualTo(CheckStatus.WARN);
    assertThat(result.detail()).contains("containerd's " + containerd() + " has none");
    assertThat(result.fix()).contains("--runtime=containerd");
  }

  @Test
  void aMalformedDaemonJsonFailsNamingFileAndLine() throws Exception {
    write(containerd(), CONTAINERD_V2_CONFIGURED);
    write(
        docker(),
        "{\n  \"default-runtime\": \"nvidia\",\n  \"runtimes\": {\n    \"nvidia\": {\"path\": }\n  }\n}\n");
    CheckResult result = run();
    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.detail()).startsWith(docker() + ":4: ");
    assertThat(result.fix()).contains("dockerd --validate --config-file " + docker());
  }
}
