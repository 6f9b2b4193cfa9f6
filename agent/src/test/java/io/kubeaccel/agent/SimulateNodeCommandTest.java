package io.kubeaccel.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.nvml.fake.FakeGpu;
import io.kubeaccel.pgpu.GpuResourcePlugin;
import io.kubeaccel.proto.deviceplugin.v1beta1.Device;
import io.kubeaccel.testkit.KubeletStandIn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code simulate-node}: a node written into a directory, on which the real agent runs in its own process. */
class SimulateNodeCommandTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String FLAGS = "agent flags (pgpu, vgpu, mps): ";

  @TempDir
  Path temp;

  /** The agent flags the summary tells the user to pass. */
  private static List<String> printedFlags(String out) {
    return out.lines()
        .filter(line -> line.startsWith(FLAGS))
        .map(line -> Arrays.asList(line.substring(FLAGS.length()).split(" ")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no agent flags in: " + out));
  }

  @Test
  void theRealPgpuAgentRunsOnTheWrittenNodeWithThePrintedFlagsAndAdvertisesThePresetsCards()
      throws Exception {
    Path root = temp.resolve("simulated");
    Cli.Result result = Cli.run("simulate-node", "--preset", "dgx1", "--dir", root.toString());
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).contains("preset dgx1", "written to " + root, "/dev/nvidia7");
    assertThat(printedFlags(result.out()))
        .containsExactly(
            "--nvml-library-dir=" + root.resolve("nvml"),
            "--sys-root=" + root.resolve("nvml/sys"),
            "--dev-root=" + root.resolve("host"),
            "--proc-root=" + root.resolve("host/proc"));
    assertThat(result.out())
        .contains("mps also: --mps-control=" + root.resolve("bin/nvidia-cuda-mps-control"));

    List<String> uuids =
        NodePreset.DGX1.inventory().gpus().stream().map(FakeGpu::uuid).toList();
    Path kubeletDir = Files.createTempDirectory(Path.of("/tmp"), "kac-dp-");
    try (KubeletStandIn kubelet = KubeletStandIn.start(kubeletDir)) {
      List<String> arguments = new ArrayList<>(printedFlags(result.out()));
      arguments.addAll(List.of("--device-plugin-dir=" + kubeletDir, "--metrics-address=off"));
      Process agent = Cli.spawnPgpu(arguments, temp.resolve("agent.log"));
      try {
        List<Device> advertised = kubelet
            .awaitRegistration(GpuResourcePlugin.GPU, WAIT)
            .awaitDevices(devices -> devices.size() == uuids.size(), WAIT);
        assertThat(advertised).extracting(Device::getID).containsExactlyInAnyOrderElementsOf(uuids);
        assertThat(advertised).extracting(Device::getHealth).containsOnly("Healthy");
      } finally {
        agent.destroy();
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
    } finally {
      try (Stream<Path> left = Files.list(kubeletDir)) {
        for (Path path : left.toList()) {
          Files.deleteIfExists(path);
        }
      }
      Files.deleteIfExists(kubeletDir);
    }
  }

  @Test
  void theLayoutIsTheOneTheHelmChartsSimulateFormMounts() {
    Path root = temp.resolve("simulated");
    assertThat(Cli.run("simulate-node", "--preset", "four-gpu", "--dir", root.toString())
            .exitCode())
        .isZero();

    assertThat(root.resolve("nvml/libnvidia-ml.so.1")).isRegularFile();
    assertThat(root.resolve("nvml/inventory.json")).isRegularFile();
    assertThat(root.resolve("nvml/sys/bus/pci/devices")).isDirectory();
    assertThat(root.resolve("host/dev/nvidiactl")).isRegularFile();
    assertThat(root.resolve("host/dev/nvidia3")).isRegularFile();
    assertThat(root.resolve("host/proc/driver/nvidia-caps/mig-minors")).isRegularFile();
    assertThat(root.resolve("bin/nvidia-cuda-mps-control")).isExecutable();
    assertThat(root.resolve("device-plugins"))
        .as("the kubelet's directory is the node's own")
        .doesNotExist();
  }

  @Test
  void theFakeMpsControlProgramRunsAndSaysNoDaemonIsRunningYet() throws Exception {
    Path root = temp.resolve("simulated");
    assertThat(Cli.run("simulate-node", "--dir", root.toString()).exitCode()).isZero();

    ProcessBuilder client = new ProcessBuilder(
            root.resolve("bin/nvidia-cuda-mps-control").toString())
        .redirectErrorStream(true)
        .redirectOutput(temp.resolve("client.log").toFile());
    client.environment().put("CUDA_MPS_PIPE_DIRECTORY", temp.resolve("pipe").toString());
    Process started = client.start();
    started.getOutputStream().write("get_default_active_thread_percentage\n".getBytes());
    started.getOutputStream().close();

    assertThat(started.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(started.exitValue()).isEqualTo(1);
    assertThat(temp.resolve("client.log"))
        .content()
        .contains("Cannot find MPS control daemon process");
  }

  @Test
  void aPreviousSimulatedNodeIsReplacedWhileOtherFilesStay() throws IOException {
    Path root = temp.resolve("simulated");
    assertThat(Cli.run("simulate-node", "--preset", "dgx1", "--dir", root.toString())
            .exitCode())
        .isZero();
    Files.writeString(root.resolve("agent-state"), "kept");

    Cli.Result again = Cli.run("simulate-node", "--preset", "four-gpu", "--dir", root.toString());

    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.out()).contains("replaced the simulated node in " + root);
    assertThat(root.resolve("host/dev/nvidia3")).exists();
    assertThat(root.resolve("host/dev/nvidia4")).as("a card of the old preset").doesNotExist();
    assertThat(root.resolve("nvml/inventory.json"))
        .content()
        .contains(NodePreset.FOUR_GPU.inventory().gpus().get(0).uuid());
    assertThat(root.resolve("agent-state")).content().isEqualTo("kept");
  }

  @Test
  void aNonEmptyDirectoryWithoutASimulatedNodeIsRefusedAndLeftAsItIs() throws IOException {
    Path root = Files.createDirectories(temp.resolve("home"));
    Files.writeString(root.resolve("notes.txt"), "mine");
    Map<String, String> before = snapshot(root);

    Cli.Result result = Cli.run("simulate-node", "--dir", root.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains(root + " is not empty and holds no simulated node")
        .doesNotContain("Exception");
    assertThat(snapshot(root)).isEqualTo(before);
  }

  @Test
  void anUnknownPresetIsAUsageErrorNamingTheValidOnesAndWritesNothing() {
    Path root = temp.resolve("simulated");

    Cli.Result result = Cli.run("simulate-node", "--preset", "tpu-pod", "--dir", root.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("unknown preset \"tpu-pod\"", "four-gpu", "hgx-h100");
    assertThat(root).doesNotExist();
  }

  @Test
  void aDirectoryThatCannotBeWrittenIsAUsageError() {
    // /proc takes no new files, not even from root: the check must try, not trust permission bits.
    Cli.Result result = Cli.run("simulate-node", "--dir", "/proc/kubeaccel-simulated");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("cannot write into /proc");
    assertThat(Path.of("/proc/kubeaccel-simulated")).doesNotExist();
  }

  @Test
  void aFileWhereTheDirectoryShouldBeIsAUsageErrorAndIsLeftAsItIs() throws IOException {
    Path file = Files.writeString(temp.resolve("file"), "mine");

    Cli.Result inside = Cli.run("simulate-node", "--dir", file.resolve("node").toString());
    Cli.Result itself = Cli.run("simulate-node", "--dir", file.toString());

    assertThat(inside.exitCode()).isEqualTo(2);
    assertThat(inside.err())
        .contains("cannot create " + file.resolve("node") + ": " + file + " is not a directory");
    assertThat(itself.exitCode()).isEqualTo(2);
    assertThat(itself.err()).contains(file + " is not a directory");
    assertThat(file).content().isEqualTo("mine");
  }

  @Test
  void withoutADirectoryItIsAUsageError() {
    Cli.Result result = Cli.run("simulate-node");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("Missing required option: '--dir=DIR'");
  }

  /** Every path under {@code dir} with its content (directories as empty strings). */
  private static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.toList()) {
        files.put(
            dir.relativize(path).toString(),
            Files.isRegularFile(path) ? Files.readString(path, StandardCharsets.UTF_8) : "");
      }
    }
    return files;
  }
}
