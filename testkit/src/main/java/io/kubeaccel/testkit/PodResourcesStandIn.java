package io.kubeaccel.testkit;

import io.grpc.Server;
import io.kubeaccel.proto.UnixSocketTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The kubelet's PodResources v1 API ({@code List}, {@code Get}, {@code GetAllocatableResources}) served on a unix
 * socket (the kubelet's is {@value #KUBELET_PATH}), answering from a {@link KubeletStandIn}'s allocations and current
 * registrations at the moment of each call.
 *
 * <p>Answers have the kubelet's shape: only pods with admitted devices appear (the stand-in knows no others), with
 * the namespace and name given to {@link KubeletStandIn#admit(PodRef, String, String, int)}, and one device entry per
 * device and NUMA node. {@code Get} of an unknown pod fails with {@code UNKNOWN}, as the kubelet's does.
 */
public final class PodResourcesStandIn implements AutoCloseable {

  /** Where the kubelet serves this API. */
  public static final String KUBELET_PATH = "/var/lib/kubelet/pod-resources/kubelet.sock";

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

  private final Path socket;
  private final UnixSocketTransport transport;
  private final ExecutorService handlers;
  private final Server server;

  private PodResourcesStandIn(
      Path socket, UnixSocketTransport transport, ExecutorService handlers, Server server) {
    this.socket = socket;
    this.transport = transport;
    this.handlers = handlers;
    this.server = server;
  }

  /**
   * Serves PodResources for {@code kubelet} on {@code socket}, creating its parent dir if missing.
   *
   * @throws IOException if the socket cannot be bound
   */
  public static PodResourcesStandIn start(Path socket, KubeletStandIn kubelet) throws IOException {
    Path path = socket.toAbsolutePath();
    Files.createDirectories(path.getParent());
    UnixSocketTransport transport = new UnixSocketTransport("podresources-standin", 1);
    ExecutorService handlers = HandlerThreads.start("podresources-standin");
    try {
      Server server = transport
          .serverBuilder(path)
          .executor(handlers)
          .addService(new PodResourcesService(kubelet))
          .build()
          .start();
      return new PodResourcesStandIn(path, transport, handlers, server);
    } catch (IOException | RuntimeException e) {
      handlers.shutdownNow();
      transport.close();
      throw e;
    }
  }

  /** The socket this API is served on. */
  public Path socket() {
    return socket;
  }

  /** Stops serving and removes the socket file. */
  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(STOP_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
      HandlerThreads.stop(handlers, STOP_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      // Best effort: a stale socket file is removed by the next bind anyway.
    }
    transport.close();
  }
}
