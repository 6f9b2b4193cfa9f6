package io.kubeaccel.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A stand-in for NVIDIA's {@code nvidia-cuda-mps-control}, speaking its command-line and stdin protocol, for tests
 * and {@code simulate}: no GPU, no driver.
 *
 * <ul>
 *   <li>{@code -d}: starts the control daemon in the background (a separate JVM running {@link FakeMpsDaemon}) and
 *       exits 0 once it answers, or 1 with a message when one is running already or it fails to start. The daemon's
 *       output goes to {@code $CUDA_MPS_LOG_DIRECTORY/control.log}.
 *   <li>no argument: a client. Reads commands, one per line, from stdin, hands them to the daemon and prints its
 *       answers: {@code get_default_active_thread_percentage} prints the current default (100 unless set), {@code
 *       set_default_active_thread_percentage <pct>} and {@code set_default_device_pinned_mem_limit <dev> <limit>}
 *       are recorded (and the former changes what the getter prints), {@code get_server_list} prints nothing (no
 *       servers), {@code quit} stops the daemon and returns once it has let go of its files. Without a daemon it
 *       prints {@code Cannot find MPS control daemon process} on stderr and exits 1.
 * </ul>
 *
 * <p>Client and daemon talk through a unix domain socket, {@value #SOCKET}, in {@code $CUDA_MPS_PIPE_DIRECTORY}
 * (default {@code /tmp/nvidia-mps}, as NVIDIA's): the client sends everything it read, shuts its side down, and copies
 * the daemon's answer to stdout. The daemon writes its pid to {@value #PID_FILE} (the file NVIDIA's daemon writes) and
 * appends every command it was told, and {@code # started pid=N} / {@code # stopped pid=N} lines, to {@value
 * #RECORD_FILE} in the same directory; {@link #recorded}, {@link #commands}, {@link #daemonPid} and {@link
 * #killDaemon} read and act on them. A daemon exits by itself when its pipe directory is deleted (a test's temporary
 * directory) and after {@link FakeMpsDaemon#MAX_LIFETIME} at the latest, so no test leaves one behind for long.
 */
public final class FakeMpsControl {

  /** The daemon's socket in the pipe directory. */
  public static final String SOCKET = "control";
  /** The daemon's pid, as NVIDIA's control daemon writes it. */
  public static final String PID_FILE = "nvidia-cuda-mps-control.pid";
  /** What the daemon was told, one line per command, appended. */
  public static final String RECORD_FILE = "fake-mps-control.record";

  static final String DEFAULT_PIPE_DIRECTORY = "/tmp/nvidia-mps";
  static final String DEFAULT_LOG_DIRECTORY = "/var/log/nvidia-mps";
  static final String NOT_RUNNING = "Cannot find MPS control daemon process";
  static final String SERVE = "--serve";
  /** Small and quick to start: a client is started for every health check. */
  private static final List<String> JVM_OPTIONS = List.of(
      "-Xmx32m",
      "-Xss256k",
      "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1",
      "-XX:-UsePerfData",
      "-Xshare:auto");

  private static final long START_TIMEOUT_MS = 10_000;

  private FakeMpsControl() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    Path pipe = directory("CUDA_MPS_PIPE_DIRECTORY", DEFAULT_PIPE_DIRECTORY);
    Path log = directory("CUDA_MPS_LOG_DIRECTORY", DEFAULT_LOG_DIRECTORY);
    if (args.length == 0) {
      System.exit(client(pipe, System.in, System.out));
    } else if (args.length == 1 && args[0].equals("-d")) {
      System.exit(daemonize(pipe, log));
    } else if (args.length == 1 && args[0].equals(SERVE)) {
      System.exit(new FakeMpsDaemon(pipe).serve());
    } else {
      System.err.println("usage: nvidia-cuda-mps-control [-d]   (kubeaccel's fake)");
      System.exit(2);
    }
  }

  /**
   * Writes an executable shell script at {@code file} that runs this program with the Java of the running JVM and
   * this class's own jar or class directory (it needs nothing else): what an agent under test is given as its MPS
   * control program.
   *
   * @return {@code file}
   */
  public static Path installScript(Path file) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    StringBuilder script = new StringBuilder("#!/bin/sh\n")
        .append("# kubeaccel testkit: a fake nvidia-cuda-mps-control\n")
        .append("exec ")
        .append(quote(java.toString()));
    for (String option : JVM_OPTIONS) {
      script.append(' ').append(option);
    }
    script
        .append(" -cp ")
        .append(quote(ownLocation().toString()))
        .append(' ')
        .append(FakeMpsControl.class.getName())
        .append(" \"$@\"\n");
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, script, StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the fake MPS control script " + file, e);
    }
    return file;
  }

  /** Every line the daemons of {@code pipeDirectory} recorded, lifecycle comments included, in order. */
  public static List<String> recorded(Path pipeDirectory) {
    try {
      return Files.readAllLines(pipeDirectory.resolve(RECORD_FILE), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The commands the daemons of {@code pipeDirectory} were told, in order (no lifecycle comments). */
  public static List<String> commands(Path pipeDirectory) {
    List<String> commands = new ArrayList<>();
    for (String line : recorded(pipeDirectory)) {
      if (!line.startsWith("#")) {
        commands.add(line);
      }
    }
    return commands;
  }

  /** The pid of the running daemon of {@code pipeDirectory}, if one is running. */
  public static Optional<Long> daemonPid(Path pipeDirectory) {
    try {
      long pid =
          Long.parseLong(Files.readString(pipeDirectory.resolve(PID_FILE)).trim());
      return answers(pipeDirectory.resolve(SOCKET)) ? Optional.of(pid) : Optional.empty();
    } catch (NoSuchFileException | NumberFormatException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Kills the running daemon of {@code pipeDirectory} with SIGKILL, as a crash would: no {@code quit}, its files left
   * behind.
   *
   * @return the pid killed
   * @throws IllegalStateException when no daemon is running
   */
  public static long killDaemon(Path pipeDirectory) {
    long pid = daemonPid(pipeDirectory)
        .orElseThrow(
            () -> new IllegalStateException("no fake MPS daemon runs in " + pipeDirectory));
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    return pid;
  }

  /** Client mode: stdin to the daemon, its answer to stdout. */
  static int client(Path pipe, InputStream in, OutputStream out) throws IOException {
    byte[] commands = in.readAllBytes();
    SocketChannel channel;
    try {
      channel = SocketChannel.open(UnixDomainSocketAddress.of(pipe.resolve(SOCKET)));
    } catch (IOException e) {
      System.err.println(NOT_RUNNING);
      return 1;
    }
    try (channel) {
      ByteBuffer buffer = ByteBuffer.wrap(commands);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.shutdownOutput();
      Channels.newInputStream(channel).transferTo(out);
      out.flush();
    }
    return 0;
  }

  /** {@code -d}: the daemon as a separate process, detached from this one; returns when it answers. */
  private static int daemonize(Path pipe, Path log) throws IOException, InterruptedException {
    if (answers(pipe.resolve(SOCKET))) {
      System.err.println("An instance of this daemon is already running");
      return 1;
    }
    Files.createDirectories(pipe);
    Files.createDirectories(log);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_OPTIONS);
    command.addAll(List.of("-cp", ownLocation().toString(), FakeMpsControl.class.getName(), SERVE));
    Process daemon = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(
            ProcessBuilder.Redirect.appendTo(log.resolve("control.log").toFile()))
        .redirectErrorStream(true)
        .start();
    long deadline = System.nanoTime() + START_TIMEOUT_MS * 1_000_000;
    while (System.nanoTime() < deadline) {
      if (!daemon.isAlive()) {
        System.err.println("MPS control daemon failed to start (exit " + daemon.exitValue()
            + "), see " + log.resolve("control.log"));
        return 1;
      }
      if (answers(pipe.resolve(SOCKET))) {
        return 0;
      }
      Thread.sleep(10); // polling another process's socket: there is nothing to wait on
    }
    daemon.destroyForcibly();
    System.err.println("MPS control daemon did not answer within " + START_TIMEOUT_MS + " ms");
    return 1;
  }

  /** Whether a daemon accepts connections on {@code socket} (an empty connection: it answers nothing). */
  static boolean answers(Path socket) {
    if (!Files.exists(socket)) {
      return false;
    }
    try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      probe.shutdownOutput();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Path directory(String variable, String fallback) {
    String value = System.getenv(variable);
    return Path.of(value == null || value.isBlank() ? fallback : value);
  }

  private static Path ownLocation() {
    try {
      return Path.of(FakeMpsControl.class
          .getProtectionDomain()
          .getCodeSource()
          .getLocation()
          .toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the testkit classes", e);
    }
  }

  private static String quote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
