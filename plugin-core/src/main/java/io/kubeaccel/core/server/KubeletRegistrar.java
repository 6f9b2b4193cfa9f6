package io.kubeaccel.core.server;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.kubeaccel.proto.UnixSocketTransport;
import io.kubeaccel.proto.deviceplugin.v1beta1.DevicePluginOptions;
import io.kubeaccel.proto.deviceplugin.v1beta1.RegisterRequest;
import io.kubeaccel.proto.deviceplugin.v1beta1.RegistrationGrpc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Registers resources with the kubelet through its Registration service on {@code kubelet.sock}. */
final class KubeletRegistrar {

  /** The device-plugin API version this agent speaks. */
  static final String API_VERSION = "v1beta1";

  private final UnixSocketTransport transport;
  private final Path kubeletSocket;
  private final Duration timeout;

  KubeletRegistrar(UnixSocketTransport transport, Path kubeletSocket, Duration timeout) {
    this.transport = transport;
    this.kubeletSocket = kubeletSocket;
    this.timeout = timeout;
  }

  /**
   * Registers {@code resource} served on {@code endpoint} (a file name in the device-plugin directory). The kubelet
   * dials back and calls GetDevicePluginOptions before this returns, so the resource must already be served.
   *
   * @throws StatusRuntimeException if the kubelet refuses or cannot be reached within the timeout
   */
  void register(String resource, String endpoint, DevicePluginOptions options) {
    ManagedChannel channel = transport.channel(kubeletSocket);
    try {
      RegistrationGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .register(RegisterRequest.newBuilder()
              .setVersion(API_VERSION)
              .setEndpoint(endpoint)
              .setResourceName(resource)
              .setOptions(options)
              .build());
    } finally {
      channel.shutdownNow();
    }
  }

  /**
   * Identity of the kubelet's current socket file (its file key), or null when there is none. A restarted kubelet
   * creates a new file, so a changed key means the resources must register again.
   */
  Object kubeletSocketKey() {
    try {
      return Files.readAttributes(kubeletSocket, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      return null;
    }
  }
}
