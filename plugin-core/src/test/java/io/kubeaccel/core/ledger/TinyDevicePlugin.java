package io.kubeaccel.core.ledger;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.kubeaccel.proto.UnixSocketTransport;
import io.kubeaccel.proto.deviceplugin.v1beta1.AllocateRequest;
import io.kubeaccel.proto.deviceplugin.v1beta1.AllocateResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.ContainerAllocateResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.Device;
import io.kubeaccel.proto.deviceplugin.v1beta1.DevicePluginGrpc;
import io.kubeaccel.proto.deviceplugin.v1beta1.DevicePluginOptions;
import io.kubeaccel.proto.deviceplugin.v1beta1.Empty;
import io.kubeaccel.proto.deviceplugin.v1beta1.ListAndWatchResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.NUMANode;
import io.kubeaccel.proto.deviceplugin.v1beta1.RegisterRequest;
import io.kubeaccel.proto.deviceplugin.v1beta1.RegistrationGrpc;
import io.kubeaccel.proto.deviceplugin.v1beta1.TopologyInfo;
import io.kubeaccel.testkit.KubeletStandIn;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The least a device plugin must do for the kubelet stand-in to admit containers: list fixed devices, answer Allocate
 * with nothing. Registers itself with the stand-in in its socket's directory.
 */
final class TinyDevicePlugin extends DevicePluginGrpc.DevicePluginImplBase
    implements AutoCloseable {

  private final UnixSocketTransport transport = new UnixSocketTransport("tiny-plugin", 1);
  private final List<Device> devices;
  private final Server server;

  private TinyDevicePlugin(Path socket, List<Device> devices) throws IOException {
    this.devices = devices;
    this.server = transport.serverBuilder(socket).addService(this).build().start();
  }

  /** Serves {@code devices} on {@code socket} and registers them as {@code resource}. */
  static TinyDevicePlugin serveAndRegister(Path socket, String resource, List<Device> devices)
      throws IOException {
    TinyDevicePlugin plugin = new TinyDevicePlugin(socket, devices);
    ManagedChannel channel =
        plugin.transport.channel(socket.resolveSibling(KubeletStandIn.KUBELET_SOCKET));
    try {
      RegistrationGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .register(RegisterRequest.newBuilder()
              .setVersion("v1beta1")
              .setEndpoint(socket.getFileName().toString())
              .setResourceName(resource)
              .setOptions(DevicePluginOptions.getDefaultInstance())
              .build());
    } catch (RuntimeException e) {
      plugin.close();
      throw e;
    } finally {
      awaitClosed(channel);
    }
    return plugin;
  }

  /** A healthy device on the given NUMA nodes (none: no topology). */
  static Device device(String id, long... numaNodes) {
    Device.Builder device = Device.newBuilder().setID(id).setHealth("Healthy");
    if (numaNodes.length > 0) {
      TopologyInfo.Builder topology = TopologyInfo.newBuilder();
      for (long node : numaNodes) {
        topology.addNodes(NUMANode.newBuilder().setID(node));
      }
      device.setTopology(topology);
    }
    return device.build();
  }

  @Override
  public void getDevicePluginOptions(Empty request, StreamObserver<DevicePluginOptions> response) {
    response.onNext(DevicePluginOptions.getDefaultInstance());
    response.onCompleted();
  }

  @Override
  public void listAndWatch(Empty request, StreamObserver<ListAndWatchResponse> response) {
    // The stream stays open, as the kubelet expects; closing the server ends it.
    response.onNext(ListAndWatchResponse.newBuilder().addAllDevices(devices).build());
  }

  @Override
  public void allocate(AllocateRequest request, StreamObserver<AllocateResponse> response) {
    AllocateResponse.Builder answer = AllocateResponse.newBuilder();
    request
        .getContainerRequestsList()
        .forEach(container ->
            answer.addContainerResponses(ContainerAllocateResponse.getDefaultInstance()));
    response.onNext(answer.build());
    response.onCompleted();
  }

  @Override
  public void close() {
    try {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    transport.close();
  }

  static void awaitClosed(ManagedChannel channel) {
    try {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static Duration registrationWait() {
    return Duration.ofSeconds(10);
  }
}
