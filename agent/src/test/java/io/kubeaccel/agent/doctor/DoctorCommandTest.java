package io.kubeaccel.agent.doctor;

import static io.kubeaccel.agent.doctor.DoctorFixtures.devNodes;
import static io.kubeaccel.agent.doctor.DoctorFixtures.listen;
import static io.kubeaccel.agent.doctor.DoctorFixtures.paths;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.agent.Main;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code kubeaccel doctor} end to end on a node in a temporary directory: output, JSON and exit codes. */
class DoctorCommandTest {

  private record Result(int exitCode, String out, String err) {}

  @TempDir
  Path root;

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (AutoCloseable closeable : open) {
      closeable.close();
    }
  }

  private static Result run(List<String> args) {
    CommandLine cli = mainCommandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args.toArray(String[]::new));
    return new Result(code, out.toString(), err.toString());
  }

  /** The command line exactly as {@code Main.main} configures it (its factory is package-private). */
  private static CommandLine mainCommandLine() {
    try {
      Method factory = Main.class.getDeclaredMethod("commandLine");
      factory.setAccessible(true);
      return (CommandLine) factory.invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Main.commandLine() is gone", e);
    }
  }

  /**
   * The arguments for a node that is ready for {@code label}'s mode: fake NVML with {@code inventory}, device nodes,
   * live kubelet sockets, containerd configured, a current toolkit, and an API server with the node labelled.
   */
  private List<String> readyNode(FakeInventory inventory, String label) throws Exception {
    HostPaths paths = paths(root);
    FakeNode nvml = FakeNode.create(root.resolve("nvml"), inventory);
    List<String> nodes = new ArrayList<>(List.of("nvidiactl", "nvidia-uvm"));
    inventory.gpus().forEach(gpu -> nodes.add("nvidia" + gpu.minor()));
    devNodes(paths, nodes.toArray(String[]::new));
    ServerSocketChannel kubelet = listen(paths.deviceDir().resolve("kubelet.sock"));
    ServerSocketChannel podResources = listen(paths.podResourcesSocket());
    open.add(kubelet);
    open.add(podResources);
    DoctorFixtures.write(
        paths.containerdConfig(), ContainerRuntimeCheckTest.CONTAINERD_V2_CONFIGURED);
    DoctorFixtures.script(paths.nvidiaCtk(), "echo 'NVIDIA Container Toolkit CLI version 1.17.8'");
    FakeApiServer api =
        new FakeApiServer("1", "30").node("gpu-node-1", Map.of("nvidia-device-enable", label));
    open.add(api);
    return new ArrayList<>(List.of(
        "doctor",
        "--nvml-library-dir",
        nvml.directory().toString(),
        "--sys-root",
        nvml.sysfsRoot().toString(),
        "--dev-root",
        paths.devRoot().toString(),
        "--proc-root",
        paths.procRoot().toString(),
        "--device-plugin-dir",
        paths.deviceDir().toString(),
        "--containerd-config",
        paths.containerdConfig().toString(),
        "--docker-config",
        paths.dockerConfig().toString(),
        "--nvidia-ctk",
        paths.nvidiaCtk().toString(),
        "--kubeconfig",
        api.kubeconfig(root.resolve("kube")).toString(),
        "--node-name",
        "gpu-node-1"));
  }

  @Test
  void aReadyNodePassesEveryCheckAndExitsZero() throws Exception {
    List<String> args = readyNode(FakeInventory.fourGpusTwoNumaNvlinkPairs(), "mps");
    args.addAll(List.of("--mode", "mps"));
    Result result = run(args);
    assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
    assertThat(result.out())
        .startsWith("CHECK")
        .contains(
            "nvml", "cuda-version", "compute-capability", "mig", "device-nodes", "kubelet-socket")
        .contains(
            "pod-resources",
            "container-runtime",
            "container-toolkit",
            "node-label",
            "kubernetes-version")
        .contains("11 checks for mode mps: 11 passed, 0 warnings, 0 failed, 0 skipped -> PASS")
        .doesNotContain("FIX:");
  }

  @Test
  void migCardsOnAnMpsNodeFailWithAFixAndExitOne() throws Exception {
    List<String> args = readyNode(FakeInventory.a100MigMixed(), "mps");
    args.addAll(List.of("--mode", "mps"));
    Result result = run(args);
    assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(1);
    assertThat(result.out())
        .containsPattern("mig +FAIL +the mps agent refuses GPUs in MIG mode")
        .contains("FIX: `sudo nvidia-smi -i 0 -mig 0 && sudo nvidia-smi -i 0 -r`");
  }

  @Test
  void jsonOutputParsesWithEveryCheckAndTheSummary() throws Exception {
    List<String> args = readyNode(FakeInventory.fourGpusTwoNumaNvlinkPairs(), "pgpu");
    args.addAll(List.of("--mode", "vgpu", "--output", "json"));
    Result result = run(args);
    assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(1);
    JsonNode json = JsonMapper.builder().build().readTree(result.out());
    assertThat(json.get("checks")).hasSize(11);
    for (JsonNode check : json.get("checks")) {
      assertThat(check.propertyNames()).containsExactly("name", "status", "detail", "fix");
      assertThat(check.get("status").stringValue()).isIn("PASS", "WARN", "FAIL", "SKIP");
    }
    JsonNode label = json.get("checks").get(9);
    assertThat(label.get("name").stringValue()).isEqualTo("node-label");
    assertThat(label.get("status").stringValue()).isEqualTo("FAIL");
    assertThat(label.get("fix").stringValue())
        .contains("kubectl label node gpu-node-1 nvidia-device-enable=vgpu --overwrite");
    assertThat(json.get("summary").get("mode").stringValue()).isEqualTo("vgpu");
    assertThat(json.get("summary").get("fail").asInt()).isEqualTo(1);
    assertThat(json.get("summary").get("exitCode").asInt()).isEqualTo(1);
  }

  @Test
  void aNodeWithoutClusterAccessSkipsTheClusterChecksAndStillExitsZero() throws Exception {
    List<String> args = readyNode(FakeInventory.fourGpusTwoNumaNvlinkPairs(), "pgpu");
    args.set(
        args.indexOf("--kubeconfig") + 1,
        FakeApiServer.unreachableKubeconfig(root.resolve("none")).toString());
    Result result = run(args);
    assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
    assertThat(result.out())
        .containsPattern("node-label +SKIP +the API server \\S+ is unreachable")
        .containsPattern("kubernetes-version +SKIP");
  }

  @Test
  void anUnknownModeIsAUsageError() {
    Result result = run(List.of("doctor", "--mode", "whole-card"));
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains("unknown mode \"whole-card\"; choose one of: pgpu, vgpu, mps");
  }

  @Test
  void anUnknownOutputIsAUsageError() {
    Result result = run(List.of("doctor", "--output", "xml"));
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("unknown output \"xml\"; choose one of: table, json");
  }

  @Test
  void aZeroCheckTimeoutIsAUsageError() {
    Result result = run(List.of("doctor", "--check-timeout", "0"));
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--check-timeout must be at least 1 second");
  }

  @Test
  void helpListsDoctorAndItsOptions() {
    assertThat(run(List.of("--help")).out()).contains("doctor");
    Result help = run(List.of("doctor", "--help"));
    assertThat(help.exitCode()).isZero();
    assertThat(help.out())
        .contains("--mode", "--output", "--containerd-config", "--docker-config", "--nvidia-ctk")
        .contains(
            "--node-name", "--kubeconfig", "--check-timeout", "--dev-root", "--device-plugin-dir");
  }
}
