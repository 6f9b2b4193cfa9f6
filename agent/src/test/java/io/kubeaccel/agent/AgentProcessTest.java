package io.kubeaccel.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.core.server.HostSettings;
import io.kubeaccel.pgpu.GpuResourcePlugin;
import io.kubeaccel.testkit.Await;
import io.kubeaccel.testkit.KubeletStandIn;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent as the DaemonSet runs it: its own process, stopped by SIGTERM, failing loudly when NVML cannot start. */
class AgentProcessTest {

  @TempDir
  Path logs;

  @Test
  void sigtermRemovesTheSocketAndEndsTheProcess() throws Exception {
    try (SimulatedNode node = SimulatedNode.create(NodePreset.FOUR_GPU);
        KubeletStandIn kubelet = KubeletStandIn.start(node.deviceDir())) {
      List<String> arguments = new ArrayList<>(node.agentArguments());
      arguments.addAll(List.of(node.devicePluginDirArgument(), "--metrics-address=off"));
      Process agent = Cli.spawnPgpu(arguments, logs.resolve("agent.log"));
      try {
        kubelet.awaitRegistration(GpuResourcePlugin.GPU, Duration.ofSeconds(30));
        Path socket = node.deviceDir().resolve(HostSettings.socketName(GpuResourcePlugin.GPU));
        assertThat(socket).exists();

        agent.destroy(); // SIGTERM

        assertThat(agent.waitFor(30, TimeUnit.SECONDS))
            .as("exited after SIGTERM")
            .isTrue();
        assertThat(socket).doesNotExist();
      } finally {
        agent.destroyForcibly();
      }
    }
  }

  /**
   * With a node name the agent reads its client configuration at start, connects once it serves, publishes its
   * labels, and (needing no pods) never lists or watches them: the stand-in answers 404 to anything but the Node and
   * Events, which the agent would log.
   */
  @Test
  void withANodeNameTheAgentPublishesItsLabelsOnceServing() throws Exception {
    try (SimulatedNode node = SimulatedNode.create(NodePreset.FOUR_GPU);
        KubeletStandIn kubelet = KubeletStandIn.start(node.deviceDir());
        ApiServerStandIn api = ApiServerStandIn.start("gpu-node-1")) {
      List<String> arguments = new ArrayList<>(node.agentArguments());
      arguments.addAll(List.of(
          node.devicePluginDirArgument(), "--metrics-address=off", "--node-name=gpu-node-1"));
      Path log = logs.resolve("agent.log");
      Process agent = Cli.spawnPgpu(api.clientOptions(), arguments, log);
      try {
        kubelet.awaitRegistration(GpuResourcePlugin.GPU, Duration.ofSeconds(30));
        Await.until(
            "labels published",
            Duration.ofSeconds(30),
            () -> "4".equals(api.nodeLabels().get("nvidia.com/gpu.count")));
        assertThat(api.nodeLabels())
            .containsEntry("kubernetes.io/hostname", "gpu-node-1")
            .containsKey("nvidia.com/gpu.product");
        assertThat(api.unserved()).as("requests answered 404").isEmpty();
      } finally {
        agent.destroyForcibly();
      }
    }
  }

  /**
   * The image build runs this from the jar (deploy/image/build-rootfs.sh; DockerfileTest records one through the
   * entrypoint). Tests here run from class directories, which the JVM does not archive: the agent runs, and the bench
   * says why nothing was written.
   */
  @Test
  void benchSaysWhenTheAgentRunWroteNoArchive() {
    Path archive = logs.resolve("agent.jsa");

    Cli.Result result = Cli.run("bench", "--record-archive", archive.toString());

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.err())
        .contains("the agent exited without writing " + archive)
        .contains("from jar files only");
    assertThat(archive).doesNotExist();
  }

  @Test
  void benchRefusesAnArchivePathItCannotWriteAndWritesNothing() {
    Path missing = logs.resolve("no-such-dir").resolve("agent.jsa");

    Cli.Result result = Cli.run("bench", "--record-archive", missing.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains("--record-archive " + missing + ": needs a file in an existing");
    assertThat(logs.resolve("no-such-dir")).doesNotExist();
  }

  @Test
  void missingNvmlWithFailOnInitErrorExitsNonZeroNamingWhereItLooked() throws Exception {
    Path empty = Files.createDirectories(logs.resolve("no-driver"));
    Path deviceDir = Files.createTempDirectory(Path.of("/tmp"), "kac-dp-");
    try {
      Path log = logs.resolve("agent.log");
      Process agent = Cli.spawnPgpu(
          List.of(
              "--device-plugin-dir",
              deviceDir.toString(),
              "--nvml-library-dir",
              empty.toString(),
              "--fail-on-init-error",
              "--metrics-address=off"),
          log);
      assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(agent.exitValue()).isEqualTo(1);
      // The real library may exist on a GPU machine; this machine kind has none, so the search must
      // fail.
      assertThat(Files.readString(log, StandardCharsets.UTF_8))
          .contains("NVML failed to start")
          .contains(empty.toString());
    } finally {
      Files.deleteIfExists(deviceDir);
    }
  }
}
