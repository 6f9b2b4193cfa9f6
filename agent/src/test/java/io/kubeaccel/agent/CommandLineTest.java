package io.kubeaccel.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI's surface: help, bad flags and bad values are reported clearly, and the simulate demo runs. */
class CommandLineTest {

  @Test
  void everySubcommandPrintsTheVersion() {
    for (String subcommand : List.of(
        "pgpu", "vgpu", "mps", "extender", "simulate", "simulate-node", "bench", "doctor")) {
      Cli.Result result = Cli.run(subcommand, "--version");

      assertThat(result.exitCode()).as(subcommand).isZero();
      assertThat(result.out().strip()).as(subcommand).isEqualTo("kubeaccel development");
    }
  }

  /** main builds only the subcommand it runs (2.6 MiB less resident in an agent); help and typos get them all. */
  @Test
  void aRunBuildsOnlyItsSubcommand() {
    assertThat(Main.commandLine("pgpu").getSubcommands()).containsOnlyKeys("pgpu");
    assertThat(Main.commandLine("help").getSubcommands())
        .containsKeys("pgpu", "vgpu", "mps", "extender", "bench", "doctor", "help");
    assertThat(Main.commandLine("--help").getSubcommands()).hasSize(9);
    assertThat(Main.commandLine("pgpux").getSubcommands()).hasSize(9);

    StringWriter out = new StringWriter();
    CommandLine one = Main.commandLine("pgpu").setOut(new PrintWriter(out, true));
    assertThat(one.execute("pgpu", "--help")).isZero();
    assertThat(out.toString()).contains("Usage: kubeaccel pgpu");
  }

  /** Main names each subcommand itself (to build one without the others): the names must be the commands' own. */
  @Test
  void eachSubcommandIsAddedUnderItsOwnName() {
    Main.commandLine()
        .getSubcommands()
        .forEach((name, sub) -> assertThat(sub.getCommand()
                .getClass()
                .getAnnotation(CommandLine.Command.class)
                .name())
            .as(name)
            .isEqualTo(name));
  }

  @Test
  void helpListsEverySubcommand() {
    Cli.Result result = Cli.run("--help");
    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).as(result.toString()).contains("pgpu", "simulate", "bench");
  }

  @Test
  void pgpuHelpExplainsEveryOptionWithItsEnvironmentVariable() {
    Cli.Result result = Cli.run("pgpu", "--help");
    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .contains("--device-plugin-dir", "DEVICE_PLUGIN_DIR")
        .contains("--pass-device-specs", "PASS_DEVICE_SPECS")
        .contains("--device-id-strategy", "DEVICE_ID_STRATEGY")
        .contains("--fail-on-init-error", "FAIL_ON_INIT_ERROR")
        .contains("--driver-root", "NVIDIA_DRIVER_ROOT")
        .contains("--log-format");
  }

  @Test
  void anUnknownFlagIsAUsageErrorNamingIt() {
    Cli.Result result = Cli.run("pgpu", "--no-such-flag");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("Unknown option: '--no-such-flag'");
  }

  @Test
  void aBadDeviceIdStrategyIsAUsageErrorListingTheChoices() {
    Cli.Result result = Cli.run("pgpu", "--device-id-strategy", "serial");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("\"serial\" is not one of: uuid, index");
  }

  @Test
  void anUnknownPresetIsAUsageErrorListingThePresets() {
    Cli.Result result = Cli.run("simulate", "--preset", "dgx9");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("unknown preset \"dgx9\"").contains("four-gpu");
  }

  @Test
  void simulateShowsTheDecisionsOfAConfigFileAndStrategies(@TempDir Path dir) throws Exception {
    Path config = Files.writeString(dir.resolve("config.yaml"), """
        version: v1
        flags:
          plugin:
            passDeviceSpecs: true
        sharing:
          timeSlicing:
            renameByDefault: true
            resources:
            - name: nvidia.com/gpu
              replicas: 3
              devices: [2, 3]
        """);
    Cli.Result result = Cli.run(
        "simulate",
        "--config-file",
        config.toString(),
        "--device-list-strategy",
        "volume-mounts,cdi-cri",
        "--shared-devices-allocation-policy",
        "packed");
    assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
    assertThat(result.out())
        .contains("agent registered nvidia.com/gpu.shared")
        .contains("ListAndWatch, nvidia.com/gpu.shared")
        .contains("::2")
        .contains("mount      /var/run/nvidia-container-devices/GPU-")
        .contains("cdi device k8s.device-plugin.nvidia.com/gpu=GPU-")
        .contains("device     /dev/nvidiactl (rw)")
        .contains("simulation finished");
  }

  @Test
  void aBrokenConfigFileStopsSimulateWithItsLineAndKey(@TempDir Path dir) throws Exception {
    Path config =
        Files.writeString(dir.resolve("bad.yaml"), "version: v1\nflags:\n  migStrategy: double\n");
    Cli.Result result = Cli.run("simulate", "--config-file", config.toString());
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains("bad.yaml:3: flags.migStrategy: \"double\" is not one of: none, single, mixed");
  }

  @Test
  void simulateServesMigProfilesAsResourcesUnderTheMixedStrategy() {
    Cli.Result result = Cli.run(
        "simulate", "--preset", "a100-mig-mixed", "--mig-strategy", "mixed", "--pass-device-specs");
    assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
    assertThat(result.out())
        .contains("agent registered nvidia.com/mig-1g.5gb")
        .contains("agent registered nvidia.com/mig-3g.20gb")
        .contains("NVIDIA_VISIBLE_DEVICES=MIG-")
        .contains("device     /dev/nvidia-caps/nvidia-cap")
        .contains("simulation finished");
  }

  @Test
  void simulateExplainsThatMigCardsNeedAMigStrategy() {
    Cli.Result result = Cli.run("simulate", "--preset", "a100-mig-single");
    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .contains("cards in MIG mode are offered only with --mig-strategy single or mixed");
  }

  @Test
  void simulateRefusesTheSingleStrategyOnAMixedMigNode() {
    Cli.Result result =
        Cli.run("simulate", "--preset", "a100-mig-mixed", "--mig-strategy", "single");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains("mig-strategy single needs every card in MIG mode with one profile");
  }

  @Test
  void simulateHandsOutSlicesInVgpuMode() {
    Cli.Result result = Cli.run("simulate", "--mode", "vgpu");
    assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
    assertThat(result.out())
        .contains("vGPU agent registered tencent.com/vcuda-core (400 devices)")
        .contains("CUDA_DEVICE_SM_LIMIT=30")
        .contains("CUDA_DEVICE_MEMORY_LIMIT_0=4096m")
        .contains("above 100 it must be a multiple of 100")
        .contains("grants after the restart, as before")
        .contains("simulation finished");
  }

  @Test
  void vgpuRequiresANodeName() {
    Cli.Result result = Cli.run("vgpu", "--node-name", "");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--node-name (env NODE_NAME) is required");
  }

  @Test
  void theSimulateDemoRunsToTheEndOnEveryPreset() {
    for (String preset :
        new String[] {"four-gpu", "dgx1", "hgx-h100", "pcie8", "a100-mig-single"}) {
      Cli.Result result = Cli.run("simulate", "--preset", preset, "--mig-strategy", "single");
      assertThat(result.exitCode())
          .as(preset + ": " + result.out() + result.err())
          .isZero();
      assertThat(result.out())
          .contains("agent registered nvidia.com/gpu")
          .contains("NVIDIA_VISIBLE_DEVICES=")
          .contains("Unhealthy after")
          .contains("INVALID_ARGUMENT")
          .contains("simulation finished");
    }
  }
}
