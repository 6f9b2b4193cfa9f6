package io.kubeaccel.proto;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.kubeaccel.proto.deviceplugin.v1beta1.DevicePluginGrpc;
import io.kubeaccel.proto.deviceplugin.v1beta1.DevicePluginOptions;
import io.kubeaccel.proto.deviceplugin.v1beta1.Empty;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixSocketTransportTest {

  @TempDir
  Path dir;

  @Test
  void aPathTooLongForAUnixSocketIsRefusedWithItsLength() {
    Path socket = dir.resolve("x".repeat(120) + ".sock");
    try (UnixSocketTransport transport = new UnixSocketTransport("test-loop", 1)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> transport.serverBuilder(socket))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("the limit is 107");
    }
  }

  @Test
  void aServerOnAUnixSocketAnswersAClientOnTheSameSocket() throws Exception {
    Path socket = dir.resolve("plugin.sock");
    Files.writeString(socket, "stale file from an earlier run");
    try (UnixSocketTransport transport = new UnixSocketTransport("test-loop", 1)) {
      Server server = transport
          .serverBuilder(socket)
          .addService(new DevicePluginGrpc.DevicePluginImplBase() {
            @Override
            public void getDevicePluginOptions(
                Empty request, StreamObserver<DevicePluginOptions> response) {
              response.onNext(
                  DevicePluginOptions.newBuilder().setPreStartRequired(true).build());
              response.onCompleted();
            }
          })
          .build()
          .start();
      ManagedChannel channel = transport.channel(socket);
      try {
        DevicePluginOptions options = DevicePluginGrpc.newBlockingStub(channel)
            .getDevicePluginOptions(Empty.getDefaultInstance());
        assertThat(options.getPreStartRequired()).isTrue();
      } finally {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination();
      }
    }
  }
}
