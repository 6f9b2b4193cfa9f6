package io.kubeaccel.core.server;

import io.grpc.Server;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.spi.ModePlugin;
import io.kubeaccel.proto.UnixSocketTransport;
import io.kubeaccel.proto.deviceplugin.v1beta1.DevicePluginOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One resource's gRPC server on its own unix socket. It can be stopped and served again (after the kubelet removed
 * the socket) without losing its device catalog or its plugin's state.
 */
final class ResourceServer {

  private static final Logger log = LoggerFactory.getLogger(ResourceServer.class);

  private final ModePlugin plugin;
  private final Path socket;
  private final UnixSocketTransport transport;
  private final Executor calls;
  private final DeviceListStreams streams;
  private final DevicePluginService service;
  private volatile DeviceCatalog catalog;
  private Server server;
  private Object socketFileKey;

  ResourceServer(
      ModePlugin plugin,
      Path socket,
      UnixSocketTransport transport,
      Executor calls,
      Inventory initial,
      AllocationObserver observer) {
    this.plugin = plugin;
    this.socket = socket;
    this.transport = transport;
    this.calls = calls;
    this.catalog = DeviceCatalog.of(plugin, initial);
    this.streams = new DeviceListStreams(plugin.resourceName(), () -> catalog);
    this.service = new DevicePluginService(plugin, () -> catalog, streams, observer);
  }

  String resourceName() {
    return plugin.resourceName();
  }

  /** The socket's file name, which is what Register's endpoint carries. */
  String endpoint() {
    return socket.getFileName().toString();
  }

  DevicePluginOptions options() {
    return DevicePluginService.optionsOf(plugin);
  }

  /** Number of devices advertised now. */
  int deviceCount() {
    return catalog.devices().size();
  }

  /** Starts serving on the socket (replacing a previous server of this resource), readable by its owner only. */
  synchronized void serve() throws IOException {
    stopServer();
    server = transport
        .serverBuilder(socket)
        .executor(calls)
        .addService(service)
        .build()
        .start();
    // The kubelet runs as root and connects as root: nobody else needs this socket.
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    socketFileKey = fileKey();
    log.info(
        "serving resource={} socket={} devices={}", plugin.resourceName(), socket, deviceCount());
  }

  /** Whether our socket file is still in place (the kubelet deletes it when it restarts). */
  boolean socketPresent() {
    Object key = fileKey();
    return key != null && Objects.equals(key, socketFileKey);
  }

  /** Recomputes the advertised devices for {@code inventory}; streams hear of it when the list changed. */
  void inventoryChanged(Inventory inventory) {
    DeviceCatalog next = DeviceCatalog.of(plugin, inventory);
    boolean changed = !next.sameDevicesAs(catalog);
    catalog = next;
    if (changed) {
      log.info(
          "devices changed resource={} generation={} healthy={}/{}",
          plugin.resourceName(),
          inventory.generation(),
          next.devices().stream().filter(d -> d.healthy()).count(),
          next.devices().size());
      streams.broadcast();
    }
  }

  /** Stops serving and removes the socket file. */
  synchronized void stop() {
    stopServer();
    try {
      if (socketPresent()) {
        Files.deleteIfExists(socket);
      }
    } catch (IOException e) {
      log.warn("socket not removed socket={} reason=\"{}\"", socket, e.toString());
    }
    socketFileKey = null;
  }

  private void stopServer() {
    if (server == null) {
      return;
    }
    streams.closeAll();
    server.shutdown();
    try {
      if (!server.awaitTermination(200, TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    server = null;
  }

  private Object fileKey() {
    try {
      return Files.readAttributes(socket, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      return null;
    }
  }
}
