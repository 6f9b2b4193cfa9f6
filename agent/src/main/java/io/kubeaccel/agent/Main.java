package io.kubeaccel.agent;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
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
    })
public final class Main implements Runnable {

  /**
   * The subcommands, in the order help lists them (each named by its own {@code @Command}). Added to the command
   * line by {@link #commandLine(String)}, not declared on this class, so that a run of one builds only that one.
   */
  private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

  private static Map<String, Supplier<Object>> subcommands() {
    Map<String, Supplier<Object>> all = new LinkedHashMap<>();
    all.put("pgpu", PgpuCommand::new);
    all.put("vgpu", VgpuCommand::new);
    all.put("mps", MpsCommand::new);
    all.put("extender", ExtenderCommand::new);
    all.put("simulate", SimulateCommand::new);
    all.put("simulate-node", SimulateNodeCommand::new);
    all.put("bench", BenchCommand::new);
    all.put("doctor", DoctorCommand::new);
    return Collections.unmodifiableMap(all);
  }

  @Spec
  CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine(args.length > 0 ? args[0] : null).execute(args));
  }

  /** The configured command line with every subcommand, shared by {@link #main} and tests. */
  public static CommandLine commandLine() {
    return commandLine(null);
  }

  /**
   * The configured command line. When {@code first} (the first argument) names a subcommand, only that one is built:
   * picocli builds a command's model by reflection over its options, which for all of them kept 2.6 MiB resident in
   * every agent (start time did not change measurably). Anything else (no argument, an option, {@code help}, a typo) gets all of them, so help and
   * suggestions list every one.
   */
  static CommandLine commandLine(String first) {
    CommandLine cli = new CommandLine(new Main());
    Supplier<Object> only = first == null ? null : SUBCOMMANDS.get(first);
    if (only != null) {
      cli.addSubcommand(first, only.get());
    } else {
      SUBCOMMANDS.forEach((name, command) -> cli.addSubcommand(name, command.get()));
      cli.addSubcommand("help", new CommandLine.HelpCommand());
    }
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
