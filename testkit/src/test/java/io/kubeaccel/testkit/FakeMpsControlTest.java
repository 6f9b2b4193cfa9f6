package io.kubeaccel.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fake nvidia-cuda-mps-control, driven through its generated script as an agent drives the real one. */
class FakeMpsControlTest {

  private record Run(int exit, String out, String err) {}

  private Path root;
  private Path script;
  private Path pipe;
  private Path log;

  @BeforeEach
  void install() throws IOException {
    root = Files.createTempDirectory(Path.of("/tmp"), "kamps-");
    script = FakeMpsControl.installScript(root.resolve("bin/nvidia-cuda-mps-control"));
    pipe = root.resolve("pipe");
    log = root.resolve("log");
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (FakeMpsControl.daemonPid(pipe).isPresent()) {
      run("quit\n");
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  @Test
  void theScriptIsAnExecutableThatRunsTheFakeWithThisJava() throws IOException {
    assertThat(Files.isExecutable(script)).isTrue();
    assertThat(Files.readString(script))
        .startsWith("#!/bin/sh")
        .contains(System.getProperty("java.home"))
        .contains(FakeMpsControl.class.getName());
  }

  @Test
  void aStartedDaemonAnswersClientsRecordsWhatItIsToldAndQuitsOnRequest() throws Exception {
    Run started = run("", "-d");
    assertThat(started.exit()).as(started.toString()).isZero();
    long pid = FakeMpsControl.daemonPid(pipe).orElseThrow();
    assertThat(ProcessHandle.of(pid)).isPresent();
    assertThat(log.resolve("control.log")).exists();

    assertThat(run("get_default_active_thread_percentage\n").out()).isEqualTo("100");
    run("set_default_active_thread_percentage 40\nset_default_device_pinned_mem_limit 0 2G\n");
    assertThat(run("get_default_active_thread_percentage\n").out()).isEqualTo("40");

    Run quit = run("quit\n");
    assertThat(quit.exit()).isZero();
    assertThat(FakeMpsControl.daemonPid(pipe)).isEmpty();
    assertThat(pipe.resolve(FakeMpsControl.PID_FILE)).doesNotExist();
    assertThat(FakeMpsControl.commands(pipe))
        .containsExactly(
            "get_default_active_thread_percentage",
            "set_default_active_thread_percentage 40",
            "set_default_device_pinned_mem_limit 0 2G",
            "get_default_active_thread_percentage",
            "quit");
    assertThat(FakeMpsControl.recorded(pipe)).first().isEqualTo("# started pid=" + pid);
    assertThat(FakeMpsControl.recorded(pipe)).last().isEqualTo("# stopped pid=" + pid);
  }

  @Test
  void withoutADaemonAClientFailsAsNvidiasDoes() throws Exception {
    Run client = run("get_default_active_thread_percentage\n");
    assertThat(client.exit()).isEqualTo(1);
    assertThat(client.err()).contains("Cannot find MPS control daemon process");
  }

  @Test
  void aSecondDaemonIsRefusedWhileOneRuns() throws Exception {
    assertThat(run("", "-d").exit()).isZero();
    Run second = run("", "-d");
    assertThat(second.exit()).isEqualTo(1);
    assertThat(second.err()).contains("already running");
  }

  @Test
  void aKilledDaemonStopsAnsweringAndANewOneStartsOverItsLeftovers() throws Exception {
    assertThat(run("", "-d").exit()).isZero();
    long killed = FakeMpsControl.killDaemon(pipe);
    Await.until(
        "the killed daemon stops answering",
        Duration.ofSeconds(10),
        () -> FakeMpsControl.daemonPid(pipe).isEmpty());
    assertThat(run("get_default_active_thread_percentage\n").exit()).isEqualTo(1);
    assertThat(pipe.resolve(FakeMpsControl.SOCKET))
        .as("left behind by the crash")
        .exists();

    assertThat(run("", "-d").exit()).isZero();
    assertThat(FakeMpsControl.daemonPid(pipe))
        .hasValueSatisfying(pid -> assertThat(pid).isNotEqualTo(killed));
    assertThat(run("get_default_active_thread_percentage\n").out()).isEqualTo("100");
  }

  private Run run(String stdin, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(script.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("CUDA_MPS_PIPE_DIRECTORY", pipe.toString());
    builder.environment().put("CUDA_MPS_LOG_DIRECTORY", log.toString());
    Path out = Files.createTempFile(root, "out", ".txt");
    Path err = Files.createTempFile(root, "err", ".txt");
    Process process =
        builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try (OutputStream in = process.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    return new Run(
        process.exitValue(), Files.readString(out).trim(), Files.readString(err).trim());
  }
}
