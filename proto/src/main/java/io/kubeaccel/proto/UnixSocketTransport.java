package io.kubeaccel.proto;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * gRPC over unix domain sockets, the transport of every kubelet API.
 *
 * <p>Uses Netty 4.2's NIO domain-socket channels over the JDK's {@link UnixDomainSocketAddress}: no native library
 * has to be extracted at start (read-only root filesystems work without a writable temp dir) and latency equals the
 * epoll transport on this stack (see ../shared/reference/java-stack.md). One small event-loop group per process
 * serves every socket: the kubelet's traffic is a handful of calls per pod.
 */
public final class UnixSocketTransport implements AutoCloseable {

  /** Longest path a unix socket can have on Linux (sun_path is 108 bytes with the terminating NUL). */
  public static final int MAX_PATH_BYTES = 107;

  private final EventLoopGroup loop;

  /** Creates a transport whose event-loop threads carry {@code threadName} as a prefix. */
  public UnixSocketTransport(String threadName, int threads) {
    this.loop = new MultiThreadIoEventLoopGroup(
        threads, daemonThreads(threadName), NioIoHandler.newFactory());
  }

  /**
   * A server builder bound to {@code socket}. A stale socket file from an earlier run is removed first: NIO's bind
   * fails on an existing file, and the kubelet expects the plugin to own its socket path.
   *
   * <p>NIO does not unlink the socket file when the server stops: the owner deletes it.
   *
   * @throws IOException if a stale file exists and cannot be removed
   * @throws IllegalArgumentException if the path is longer than a unix socket path can be
   */
  public NettyServerBuilder serverBuilder(Path socket) throws IOException {
    Files.deleteIfExists(socket);
    return NettyServerBuilder.forAddress(address(socket))
        .channelType(NioServerDomainSocketChannel.class)
        .bossEventLoopGroup(loop)
        .workerEventLoopGroup(loop)
        // TCP keep-alive means nothing on a unix socket; Netty logs a warning for every connection
        // otherwise.
        .withChildOption(ChannelOption.SO_KEEPALIVE, null);
  }

  /** A plaintext channel to the gRPC server listening on {@code socket}. */
  public ManagedChannel channel(Path socket) {
    return NettyChannelBuilder.forAddress(address(socket))
        .channelType(NioDomainSocketChannel.class)
        .eventLoopGroup(loop)
        .withOption(ChannelOption.SO_KEEPALIVE, null)
        .usePlaintext()
        .build();
  }

  @Override
  public void close() {
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /**
   * The address of {@code socket}, refusing paths the kernel cannot bind (sun_path holds 108 bytes including the
   * terminating NUL) with a clear message instead of a later, vaguer bind or connect failure.
   *
   * @throws IllegalArgumentException if the path is too long
   */
  static UnixDomainSocketAddress address(Path socket) {
    int length = socket.toString().getBytes(StandardCharsets.UTF_8).length;
    if (length > MAX_PATH_BYTES) {
      throw new IllegalArgumentException("unix socket path is " + length + " bytes, the limit is "
          + MAX_PATH_BYTES + ": " + socket);
    }
    return UnixDomainSocketAddress.of(socket);
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
