package io.kubeaccel.mps.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code nvidia-cuda-mps-control} as NVIDIA documents it: {@code -d} starts the control daemon in the background and
 * returns; without arguments it is a client that reads commands from stdin and prints the daemon's answers. Every run
 * gets the daemon's pipe and log directories in its environment and is bounded in time.
 */
final class MpsControlProgram {

  /** What {@code -d} printed, appended run after run: the daemon keeps it open, so it cannot be a pipe. */
  static final String START_OUTPUT = "kubeaccel-mps-control-start.out";

  private final MpsDaemonSettings settings;

  MpsControlProgram(MpsDaemonSettings settings) {
    this.settings = settings;
  }

  /**
   * Runs {@code control -d} and waits for it to return.
   *
   * @throws MpsControlException when it cannot run, fails or does not return in time, with what it printed
   */
  void startDaemon() throws MpsControlException, InterruptedException {
    Path output = settings.logDirectory().resolve(START_OUTPUT);
    long before = size(output);
    Process process;
    try {
      process = builder(List.of(settings.control(), "-d"))
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
          .redirectErrorStream(true)
          .start();
    } catch (IOException e) {
      throw new MpsControlException("cannot run " + settings.control() + " -d: " + e.getMessage());
    }
    if (!waitFor(process, settings.startTimeout().toMillis())) {
      throw new MpsControlException(settings.control() + " -d did not return within "
          + settings.startTimeout().toMillis() + " ms");
    }
    if (process.exitValue() != 0) {
      throw new MpsControlException(
          settings.control() + " -d exited " + process.exitValue() + ": " + tail(output, before));
    }
  }

  /**
   * Sends one command as a client and returns what the daemon answered (trimmed).
   *
   * @throws MpsControlException when the client cannot run, exits non-zero (no daemon) or does not finish in time
   */
  String send(String command) throws MpsControlException, InterruptedException {
    return send(command, settings.commandTimeout());
  }

  /** {@link #send(String)} with its own time limit (e.g. {@code quit}, which waits for the daemon's clients). */
  String send(String command, Duration timeout) throws MpsControlException, InterruptedException {
    Process process;
    try {
      process = builder(List.of(settings.control())).start();
    } catch (IOException e) {
      throw new MpsControlException("cannot run " + settings.control() + ": " + e.getMessage());
    }
    try (OutputStream stdin = process.getOutputStream()) {
      stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // the client exited before reading: its exit status and stderr say why
    }
    if (!waitFor(process, timeout.toMillis())) {
      throw new MpsControlException(
          command + " got no answer within " + timeout.toMillis() + " ms");
    }
    String out = read(process.getInputStream());
    if (process.exitValue() != 0) {
      String err = read(process.getErrorStream());
      throw new MpsControlException(
          command + " failed (exit " + process.exitValue() + "): " + (err.isEmpty() ? out : err));
    }
    return out;
  }

  private ProcessBuilder builder(List<String> command) {
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> env = builder.environment();
    env.put("CUDA_MPS_PIPE_DIRECTORY", settings.pipeDirectory().toString());
    env.put("CUDA_MPS_LOG_DIRECTORY", settings.logDirectory().toString());
    return builder;
  }

  /** Waits for {@code process}; kills it when it does not end in time (or the wait is interrupted). */
  private static boolean waitFor(Process process, long millis) throws InterruptedException {
    try {
      if (process.waitFor(millis, TimeUnit.MILLISECONDS)) {
        return true;
      }
      process.destroyForcibly();
      return false;
    } catch (InterruptedException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  /** A finished client's output; it is small (a number, a message), so reading after exit cannot block. */
  private static String read(InputStream stream) {
    try (stream) {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "";
    }
  }

  private static long size(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** The last few hundred characters {@code file} gained after {@code from}, on one line. */
  private static String tail(Path file, long from) {
    try {
      byte[] all = Files.readAllBytes(file);
      int start = (int) Math.max(Math.min(from, all.length), all.length - 500L);
      String text = new String(all, start, all.length - start, StandardCharsets.UTF_8).trim();
      return text.isEmpty() ? "(no output)" : text.replace('\n', ' ');
    } catch (IOException e) {
      return "(output unreadable: " + e.getMessage() + ")";
    }
  }
}
