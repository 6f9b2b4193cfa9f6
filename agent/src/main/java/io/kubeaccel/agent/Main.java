package io.kubeaccel.agent;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The kubeaccel command line: one image, one CLI, a subcommand per role. */
@Command(
    name = "kubeaccel",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Kubernetes node agents that make NVIDIA GPUs schedulable as whole cards (pGPU), slices (vGPU) or MPS shares.",
      "Each node runs the agent of the mode its label nvidia-device-enable=pgpu|vgpu|mps selects."
    },
    subcommands = {
      PgpuCommand.class,
      VgpuCommand.class,
      MpsCommand.class,
      ExtenderCommand.class,
      SimulateCommand.class,
      SimulateNodeCommand.class,
      BenchCommand.class,
      DoctorCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  @Spec
  CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, shared by {@link #main} and tests. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    // Every subcommand's -V/--version says what the top command's does.
    cli.getSubcommands()
        .values()
        .forEach(sub -> sub.getCommandSpec().versionProvider(new Version()));
    return cli.setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler((exception, commandLine, parseResult) -> {
          // Bad input found after parsing (e.g. a malformed environment variable): one clear line,
          // no trace.
          if (exception instanceof IllegalArgumentException) {
            commandLine.getErr().println("kubeaccel: " + exception.getMessage());
            return 2;
          }
          throw exception;
        });
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
