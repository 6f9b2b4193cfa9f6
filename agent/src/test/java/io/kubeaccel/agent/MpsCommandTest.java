package io.kubeaccel.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The mps subcommand's surface and the {@code simulate --mode mps} story. */
class MpsCommandTest {

  private record Result(int exitCode, String out, String err) {}

  private static Result run(String... args) {
    CommandLine cli = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void theTopLevelHelpListsTheMpsAgent() {
    assertThat(run("--help").out()).contains("mps");
  }

  @Test
  void mpsHelpExplainsItsOwnOptionsAndTheSharedOnesWithTheirEnvironmentVariables() {
    Result result = run("mps", "--help");
    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .contains("nvidia.com/mps-core", "GiB units")
        .contains("--mps-root", "MPS_ROOT", "/run/nvidia/mps")
        .contains("--mps-control", "MPS_CONTROL", "nvidia-cuda-mps-control")
        .contains("--node-name", "NODE_NAME")
        .contains("--state-dir", "--pod-resources-socket", "--placement")
        .contains("--device-plugin-dir", "--fail-on-init-error");
  }

  @Test
  void withoutANodeNameTheAgentRefusesToStart() {
    Result result = run("mps", "--node-name", "");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--node-name (env NODE_NAME) is required");
  }

  @Test
  void aBadPlacementIsAUsageError() {
    Result result = run("mps", "--placement", "random");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("\"random\" is not one of: binpack, spread");
  }

  @Test
  void simulateShowsSharesWithLimitsTheDaemonsRecoveryAndACleanShutdown() {
    Result result = run("simulate", "--mode", "mps");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out())
        .contains("MPS control daemon running")
        .contains("EXCLUSIVE_PROCESS")
        .contains("too-many-cores (150 cores, 8 GiB) -> INVALID_ARGUMENT")
        .contains("env CUDA_MPS_ACTIVE_THREAD_PERCENTAGE=30")
        .contains("env CUDA_MPS_PINNED_DEVICE_MEM_LIMIT=0=8G")
        .contains("env CUDA_MPS_PIPE_DIRECTORY=/mps/pipe")
        .contains("mount /dev/shm <- ")
        .contains("every card Unhealthy on ListAndWatch (MPS daemon down: ")
        .contains("daemon restarted (pid ")
        .contains("every card Healthy again")
        .contains("daemon told \"quit\", running: false")
        .contains(
            "compute modes (fake NVML's compute-mode file) [DEFAULT, DEFAULT, DEFAULT, DEFAULT]")
        .contains("simulation finished: all steps behaved as expected");
  }

  @Test
  void simulateOnANodeOfMigCardsServesNothingAndSaysWhy() {
    Result result = run("simulate", "--mode", "mps", "--preset", "a100-mig-single");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out())
        .contains("MpsGpuRefused: GPU 0 (NVIDIA A100-SXM4-40GB) is in MIG mode")
        .contains("MpsNoUsableGpu")
        .contains("offers no devices");
  }

  @Test
  void anUnknownSimulationModeNamesTheModes() {
    Result result = run("simulate", "--mode", "tpu");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("is not one of: pgpu, vgpu, mps");
  }
}
