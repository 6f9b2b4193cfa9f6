package io.kubeaccel.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The mps subcommand's surface and the {@code simulate --mode mps} story. */
class MpsCommandTest {

  @Test
  void theTopLevelHelpListsTheMpsAgent() {
    assertThat(Cli.run("--help").out()).contains("mps");
  }

  @Test
  void mpsHelpExplainsItsOwnOptionsAndTheSharedOnesWithTheirEnvironmentVariables() {
    Cli.Result result = Cli.run("mps", "--help");
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
    Cli.Result result = Cli.run("mps", "--node-name", "");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--node-name (env NODE_NAME) is required");
  }

  @Test
  void aBadPlacementIsAUsageError() {
    Cli.Result result = Cli.run("mps", "--placement", "random");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("\"random\" is not one of: binpack, spread");
  }

  @Test
  void simulateShowsSharesWithLimitsTheDaemonsRecoveryAndACleanShutdown() {
    Cli.Result result = Cli.run("simulate", "--mode", "mps");
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
    Cli.Result result = Cli.run("simulate", "--mode", "mps", "--preset", "a100-mig-single");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out())
        .contains("MpsGpuRefused: GPU 0 (NVIDIA A100-SXM4-40GB) is in MIG mode")
        .contains("MpsNoUsableGpu")
        .contains("offers no devices");
  }

  @Test
  void anUnknownSimulationModeNamesTheModes() {
    Cli.Result result = Cli.run("simulate", "--mode", "tpu");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("is not one of: pgpu, vgpu, mps");
  }
}
