package io.kubeaccel.agent;

import picocli.CommandLine.Option;

/** {@code --log-format} and {@code --log-level}, the same for every long-running role. */
final class LogOptions {

  @Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      defaultValue = "${env:LOG_FORMAT:-text}",
      description =
          "Log line format: ${COMPLETION-CANDIDATES} (env LOG_FORMAT). Default: ${DEFAULT-VALUE}.")
  Logging.Format format;

  @Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      defaultValue = "${env:LOG_LEVEL:-info}",
      description = "error, warn, info, debug or trace (env LOG_LEVEL). Default: ${DEFAULT-VALUE}.")
  String level;

  /** Sets up logging as the options say. */
  void configure() {
    Logging.configure(format, level);
  }
}
