package io.kubeaccel.testkit;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

/**
 * The daemon half of {@link FakeMpsControl}: serves clients one at a time on the pipe directory's socket, records
 * what it is told, and exits on {@code quit}, when its pipe directory disappears, or after {@link #MAX_LIFETIME}.
 */
final class FakeMpsDaemon {

  /** Longest a fake daemon lives, should nobody tell it to quit. */
  static final Duration MAX_LIFETIME = Duration.ofMinutes(30);

  private final Path pipe;
  private final Path socket;
  private final long pid = ProcessHandle.current().pid();
  private String threadPercentage = "100";

  FakeMpsDaemon(Path pipe) {
    this.pipe = pipe;
    this.socket = pipe.resolve(FakeMpsControl.SOCKET);
  }

  /** Runs until {@code quit}; returns the exit code. */
  int serve() throws IOException {
    Files.createDirectories(pipe);
    if (FakeMpsControl.answers(socket)) {
      System.err.println("An instance of this daemon is already running");
      return 1;
    }
    Files.deleteIfExists(socket); // left by a daemon that was killed
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      writePid();
      record("# started pid=" + pid);
      System.out.println("fake MPS control daemon started pid=" + pid + " pipe=" + pipe);
      watchPipeDirectory();
      while (true) {
        try (SocketChannel client = server.accept()) {
          if (answer(client)) {
            shutDown(client);
            return 0;
          }
        } catch (IOException e) {
          System.out.println("client failed: " + e);
        }
      }
    }
  }

  /** Answers one client's commands; returns whether one of them was {@code quit}. */
  private boolean answer(SocketChannel client) throws IOException {
    String input =
        new String(Channels.newInputStream(client).readAllBytes(), StandardCharsets.UTF_8);
    StringBuilder output = new StringBuilder();
    for (String line : input.split("\n")) {
      String command = line.trim();
      if (command.isEmpty()) {
        continue;
      }
      record(command);
      List<String> words = List.of(command.split("\\s+"));
      switch (words.get(0)) {
        case "quit" -> {
          return true;
        }
        case "get_default_active_thread_percentage" ->
          output.append(threadPercentage).append('\n');
        case "set_default_active_thread_percentage" -> {
          if (words.size() == 2) {
            threadPercentage = words.get(1);
          }
        }
        default -> {
          // set_default_device_pinned_mem_limit, get_server_list, ...: recorded, nothing to say
        }
      }
    }
    write(client, output.toString());
    return false;
  }

  /** Lets go of the socket and pid file, then answers the {@code quit}: the client returns once the daemon is gone. */
  private void shutDown(SocketChannel client) throws IOException {
    Files.deleteIfExists(socket);
    Files.deleteIfExists(pipe.resolve(FakeMpsControl.PID_FILE));
    record("# stopped pid=" + pid);
    System.out.println("fake MPS control daemon stopped pid=" + pid);
    write(client, "");
  }

  private static void write(SocketChannel client, String text) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    while (buffer.hasRemaining()) {
      client.write(buffer);
    }
  }

  private void writePid() throws IOException {
    Path partial = pipe.resolve(FakeMpsControl.PID_FILE + ".partial");
    Files.writeString(partial, pid + "\n");
    Files.move(
        partial,
        pipe.resolve(FakeMpsControl.PID_FILE),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  private void record(String line) throws IOException {
    Files.writeString(
        pipe.resolve(FakeMpsControl.RECORD_FILE),
        line + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND,
        StandardOpenOption.WRITE);
  }

  /** Exits when the pipe directory is deleted or the lifetime is over: no orphan outlives its test for long. */
  private void watchPipeDirectory() {
    long end = System.nanoTime() + MAX_LIFETIME.toNanos();
    Thread watch = new Thread(
        () -> {
          while (Files.isDirectory(pipe) && System.nanoTime() < end) {
            try {
              Thread.sleep(1_000);
            } catch (InterruptedException e) {
              return;
            }
          }
          System.out.println("pipe directory gone or lifetime over, exiting pid=" + pid);
          Runtime.getRuntime().halt(0);
        },
        "fake-mps-watch");
    watch.setDaemon(true);
    watch.start();
  }
}
