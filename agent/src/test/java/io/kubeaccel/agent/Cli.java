package io.kubeaccel.agent;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Runs the CLI the way a user does: in this JVM with its output captured, or as a separate agent process. */
final class Cli {

  private Cli() {}

  /** What a command printed and its exit code. */
  record Result(int exitCode, String out, String err) {}

  /** Runs {@code kubeaccel args...} in this JVM. */
  static Result run(String... args) {
    CommandLine cli = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  /** Starts {@code kubeaccel pgpu arguments...} in its own JVM, its output going to {@code log}. */
  static Process spawnPgpu(List<String> arguments, Path log) throws IOException {
    return spawnPgpu(List.of(), arguments, log);
  }

  /** Like {@link #spawnPgpu(List, Path)} with {@code jvmOptions} before the class path. */
  static Process spawnPgpu(List<String> jvmOptions, List<String> arguments, Path log)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "pgpu"));
    command.addAll(arguments);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }
}
