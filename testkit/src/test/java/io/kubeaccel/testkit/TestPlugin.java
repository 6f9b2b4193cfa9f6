package io.kubeaccel.testkit;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.kubeaccel.proto.UnixSocketTransport;
import io.kubeaccel.proto.deviceplugin.v1beta1.AllocateRequest;
import io.kubeaccel.proto.deviceplugin.v1beta1.AllocateResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.ContainerAllocateRequest;
import io.kubeaccel.proto.deviceplugin.v1beta1.ContainerAllocateResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.ContainerPreferredAllocationResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.Device;
import io.kubeaccel.proto.deviceplugin.v1beta1.DevicePluginGrpc;
import io.kubeaccel.proto.deviceplugin.v1beta1.DevicePluginOptions;
import io.kubeaccel.proto.deviceplugin.v1beta1.Empty;
import io.kubeaccel.proto.deviceplugin.v1beta1.ListAndWatchResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.NUMANode;
import io.kubeaccel.proto.deviceplugin.v1beta1.PreStartContainerRequest;
import io.kubeaccel.proto.deviceplugin.v1beta1.PreStartContainerResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.PreferredAllocationRequest;
import io.kubeaccel.proto.deviceplugin.v1beta1.PreferredAllocationResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.RegisterRequest;
import io.kubeaccel.proto.deviceplugin.v1beta1.RegistrationGrpc;
import io.kubeaccel.proto.deviceplugin.v1beta1.TopologyInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A small device plugin written directly on the generated base class: it serves a settable device list, records every
 * call in order, answers Allocate with the IDs in an env var and refuses unknown IDs with INVALID_ARGUMENT.
 */
final class TestPlugin extends DevicePluginGrpc.DevicePluginImplBase implements AutoCloseable {

  final List<String> calls = new CopyOnWriteArrayList<>();
  final List<AllocateRequest> allocateRequests = new CopyOnWriteArrayList<>();
  final List<PreferredAllocationRequest> preferredRequests = new CopyOnWriteArrayList<>();
  final List<PreStartContainerRequest> preStartRequests = new CopyOnWriteArrayList<>();
  final CountDownLatch streamCancelled = new CountDownLatch(1);
  /** Chooses the preferred IDs from the available ones; by default the last ones. */
  volatile Function<List<String>, List<String>> preference = available -> available;
  /** Set to make Allocate fail with this status. */
  volatile Status allocateFailure;
  /** Set to make Allocate never answer. */
  volatile boolean allocateHangs;
  /** Runs inside GetDevicePluginOptions, to observe what the caller is doing at that moment. */
  volatile Runnable onOptions = () -> {};

  private final UnixSocketTransport transport = new UnixSocketTransport("test-plugin", 1);
  private final ExecutorService handlers = HandlerThreads.start("test-plugin");
  private final DevicePluginOptions options;
  private final List<StreamObserver<ListAndWatchResponse>> streams = new CopyOnWriteArrayList<>();
  private volatile List<Device> devices;
  private final Path socket;
  private Server server;

  private TestPlugin(Path socket, DevicePluginOptions options, List<Device> devices) {
    this.socket = socket;
    this.options = options;
    this.devices = List.copyOf(devices);
  }

  /** A plugin not yet serving. */
  static TestPlugin create(Path socket, DevicePluginOptions options, List<Device> devices) {
    return new TestPlugin(socket, options, devices);
  }

  /** A plugin serving on {@code socket}. */
  static TestPlugin serve(Path socket, DevicePluginOptions options, List<Device> devices)
      throws IOException {
    return create(socket, options, devices).start();
  }

  TestPlugin start() throws IOException {
    server = transport
        .serverBuilder(socket)
        .executor(handlers)
        .addService(this)
        .build()
        .start();
    return this;
  }

  /** Serves again on the same path, as a plugin does after the kubelet deleted its socket. */
  void serveAgain() throws IOException, InterruptedException {
    server.shutdownNow().awaitTermination();
    streams.clear();
    start();
  }

  /** Registers with the kubelet in {@code socket}'s dir, as {@code resourceName}, and waits for the answer. */
  void register(String resourceName) {
    register(RegisterRequest.newBuilder()
        .setVersion("v1beta1")
        .setEndpoint(socket.getFileName().toString())
        .setResourceName(resourceName)
        .setOptions(options)
        .build());
  }

  void register(RegisterRequest request) {
    ManagedChannel channel =
        transport.channel(socket.resolveSibling(KubeletStandIn.KUBELET_SOCKET));
    try {
      RegistrationGrpc.newBlockingStub(channel)
          .withDeadlineAfter(Duration.ofSeconds(10))
          .register(request);
    } finally {
      awaitClosed(channel);
    }
  }

  void setDevices(List<Device> update) {
    devices = List.copyOf(update);
    ListAndWatchResponse message =
        ListAndWatchResponse.newBuilder().addAllDevices(update).build();
    streams.forEach(stream -> stream.onNext(message));
  }

  void endStreams() {
    streams.forEach(StreamObserver::onCompleted);
    streams.clear();
  }

  long callsOf(String method) {
    return calls.stream().filter(method::equals).count();
  }

  @Override
  public void getDevicePluginOptions(Empty request, StreamObserver<DevicePluginOptions> response) {
    calls.add("GetDevicePluginOptions");
    onOptions.run();
    response.onNext(options);
    response.onCompleted();
  }

  @Override
  public void listAndWatch(Empty request, StreamObserver<ListAndWatchResponse> response) {
    calls.add("ListAndWatch");
    ((ServerCallStreamObserver<ListAndWatchResponse>) response)
        .setOnCancelHandler(streamCancelled::countDown);
    streams.add(response);
    response.onNext(ListAndWatchResponse.newBuilder().addAllDevices(devices).build());
  }

  @Override
  public void getPreferredAllocation(
      PreferredAllocationRequest request, StreamObserver<PreferredAllocationResponse> response) {
    calls.add("GetPreferredAllocation");
    preferredRequests.add(request);
    PreferredAllocationResponse.Builder answer = PreferredAllocationResponse.newBuilder();
    request.getContainerRequestsList().forEach(container -> {
      List<String> available = container.getAvailableDeviceIDsList();
      List<String> chosen = preference.apply(available);
      int size = Math.min(container.getAllocationSize(), chosen.size());
      answer.addContainerResponses(ContainerPreferredAllocationResponse.newBuilder()
          .addAllDeviceIDs(chosen.subList(chosen.size() - size, chosen.size())));
    });
    response.onNext(answer.build());
    response.onCompleted();
  }

  @Override
  public void allocate(AllocateRequest request, StreamObserver<AllocateResponse> response) {
    calls.add("Allocate");
    allocateRequests.add(request);
    if (allocateHangs) {
      return;
    }
    if (allocateFailure != null) {
      response.onError(allocateFailure.asRuntimeException());
      return;
    }
    Set<String> known = Set.copyOf(devices.stream().map(Device::getID).toList());
    AllocateResponse.Builder answer = AllocateResponse.newBuilder();
    for (ContainerAllocateRequest container : request.getContainerRequestsList()) {
      List<String> unknown = container.getDevicesIdsList().stream()
          .filter(id -> !known.contains(id))
          .toList();
      if (!unknown.isEmpty()) {
        response.onError(Status.INVALID_ARGUMENT
            .withDescription("unknown device IDs " + unknown)
            .asRuntimeException());
        return;
      }
      answer.addContainerResponses(ContainerAllocateResponse.newBuilder()
          .putEnvs("TEST_VISIBLE_DEVICES", String.join(",", container.getDevicesIdsList())));
    }
    response.onNext(answer.build());
    response.onCompleted();
  }

  @Override
  public void preStartContainer(
      PreStartContainerRequest request, StreamObserver<PreStartContainerResponse> response) {
    calls.add("PreStartContainer");
    preStartRequests.add(request);
    response.onNext(PreStartContainerResponse.getDefaultInstance());
    response.onCompleted();
  }

  @Override
  public void close() {
    try {
      if (server != null) {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      HandlerThreads.stop(handlers, Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    transport.close();
  }

  /** Closes a channel and waits for it, so closing the transport later does not race its last events. */
  static void awaitClosed(ManagedChannel channel) {
    try {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static Device device(String id, String health, long numaNode) {
    return Device.newBuilder()
        .setID(id)
        .setHealth(health)
        .setTopology(TopologyInfo.newBuilder().addNodes(NUMANode.newBuilder().setID(numaNode)))
        .build();
  }

  static Device healthy(String id) {
    return device(id, "Healthy", 0);
  }

  static DevicePluginOptions options(boolean preStartRequired, boolean preferredAllocation) {
    return DevicePluginOptions.newBuilder()
        .setPreStartRequired(preStartRequired)
        .setGetPreferredAllocationAvailable(preferredAllocation)
        .build();
  }
}
