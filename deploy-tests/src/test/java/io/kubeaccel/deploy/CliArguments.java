package io.kubeaccel.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.kubeaccel.agent.Main;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * A container of the kubeaccel image read through the real CLI: its args parsed by the same picocli command line the
 * image's entrypoint runs (so a misspelt flag or a bad value fails here, not on a node), the option values it ends up
 * with, and the environment variables the subcommand reads.
 */
final class CliArguments {

  /** Variables read outside picocli's options: health checks (HealthPolicy) and the image's entrypoint. */
  static final Set<String> OTHER_VARIABLES = Set.of(
      "DP_DISABLE_HEALTHCHECKS",
      "DP_ENABLE_HEALTHCHECKS",
      "HEALTH_RECOVERY_QUIET_PERIOD",
      "JAVA_OPTS",
      "KUBEACCEL_JVM_DEFAULTS",
      // Read by the NVIDIA container toolkit when it starts the container, not by the agent.
      "NVIDIA_VISIBLE_DEVICES",
      "NVIDIA_DRIVER_CAPABILITIES");

  private static final Pattern ENV_IN_HELP = Pattern.compile("env ([A-Z][A-Z0-9_]+)");

  private final String subcommand;
  private final CommandSpec spec;

  private CliArguments(String subcommand, CommandSpec spec) {
    this.subcommand = subcommand;
    this.spec = spec;
  }

  /**
   * Parses a container's args as the entrypoint would.
   *
   * @throws AssertionError naming the container and picocli's reason when the CLI rejects them
   */
  static CliArguments of(Container container) {
    List<String> args = container.getArgs() == null ? List.of() : container.getArgs();
    if (args.isEmpty()) {
      throw new AssertionError(
          "container " + container.getName() + " has no args: the first must be a subcommand");
    }
    CommandLine cli = Main.commandLine();
    ParseResult result;
    try {
      result = cli.parseArgs(args.toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      throw new AssertionError(
          "container " + container.getName() + " args " + args + ": " + e.getMessage(), e);
    }
    if (!result.hasSubcommand()) {
      throw new AssertionError(
          "container " + container.getName() + " args " + args + " name no subcommand");
    }
    ParseResult sub = result.subcommand();
    return new CliArguments(sub.commandSpec().name(), sub.commandSpec());
  }

  String subcommand() {
    return subcommand;
  }

  /** An option's value after parsing (given or default), as text. */
  Optional<String> value(String option) {
    OptionSpec spec = this.spec.findOption(option);
    if (spec == null) {
      return Optional.empty();
    }
    Object value = spec.getValue();
    if (value instanceof List<?> list) {
      return list.isEmpty() ? Optional.empty() : Optional.of(String.valueOf(list.get(0)));
    }
    return Optional.ofNullable(value).map(String::valueOf);
  }

  /** Every path-valued option that has a value, by option name. */
  Map<String, Path> paths() {
    Map<String, Path> paths = new TreeMap<>();
    for (OptionSpec option : spec.options()) {
      Object value = option.getValue();
      if (value instanceof Path path) {
        paths.put(option.longestName(), path);
      } else if (value instanceof List<?> list) {
        for (Object element : list) {
          if (element instanceof Path path) {
            paths.put(option.longestName() + "[" + list.indexOf(element) + "]", path);
          }
        }
      }
    }
    return paths;
  }

  /** The variables this subcommand reads: named in its help ("env X") and those read outside options. */
  Set<String> readableVariables() {
    Set<String> names = new TreeSet<>(OTHER_VARIABLES);
    String help = spec.commandLine().getUsageMessage(CommandLine.Help.Ansi.OFF);
    Matcher matcher = ENV_IN_HELP.matcher(help.replaceAll("\\s+", " "));
    while (matcher.find()) {
      names.add(matcher.group(1));
    }
    return names;
  }

  /** The container's variables this subcommand would not read: typos or leftovers. */
  static Set<String> unreadVariables(Container container, CliArguments cli) {
    Set<String> unread = new TreeSet<>();
    if (container.getEnv() != null) {
      for (EnvVar variable : container.getEnv()) {
        if (!cli.readableVariables().contains(variable.getName())) {
          unread.add(variable.getName());
        }
      }
    }
    return unread;
  }
}
