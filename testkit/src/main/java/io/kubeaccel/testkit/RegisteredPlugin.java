package io.kubeaccel.testkit;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.kubeaccel.proto.deviceplugin.v1beta1.AllocateRequest;
import io.kubeaccel.proto.deviceplugin.v1beta1.AllocateResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.ContainerAllocateRequest;
import io.kubeaccel.proto.deviceplugin.v1beta1.ContainerPreferredAllocationRequest;
import io.kubeaccel.proto.deviceplugin.v1beta1.Device;
import io.kubeaccel.proto.deviceplugin.v1beta1.DevicePluginGrpc;
import io.kubeaccel.proto.deviceplugin.v1beta1.DevicePluginOptions;
import io.kubeaccel.proto.deviceplugin.v1beta1.Empty;
import io.kubeaccel.proto.deviceplugin.v1beta1.ListAndWatchResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.PreStartContainerRequest;
import io.kubeaccel.proto.deviceplugin.v1beta1.PreferredAllocationRequest;
import io.kubeaccel.proto.deviceplugin.v1beta1.PreferredAllocationResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.RegisterRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted registration, as the kubelet's device manager holds it: the plugin's options, the one ListAndWatch
 * stream opened for it with the latest device list, and the calls the kubelet makes on the plugin's socket.
 *
 * <p>Every call carries the stand-in's deadline (5 s by default), so a hung plugin fails the caller instead of
 * blocking it. Errors from the plugin pass through unchanged as {@link StatusRuntimeException}, so tests can assert
 * their code and message. A registration stops being connected when its stream ends, when the same resource registers
 * again, or when the kubelet restarts; the kubelet never reopens a stream, the plugin must register again.
 */
public final class RegisteredPlugin {

  private static final Logger log = LoggerFactory.getLogger(RegisteredPlugin.class);

  private final RegisterRequest request;
  private final long registeredNanos;
  private final DevicePluginOptions options;
  private final ManagedChannel channel;
  private final Duration callTimeout;
  private final StateMonitor monitor;

  // Guarded by monitor.
  private List<Device> devices = List.of();
  private long lastUpdateNanos;
  private int updatesReceived;
  private String endedBecause;
  private ClientCallStreamObserver<Empty> stream;

  RegisteredPlugin(
      RegisterRequest request,
      long registeredNanos,
      DevicePluginOptions options,
      ManagedChannel channel,
      Duration callTimeout,
      StateMonitor monitor) {
    this.request = request;
    this.registeredNanos = registeredNanos;
    this.options = options;
    this.channel = channel;
    this.callTimeout = callTimeout;
    this.monitor = monitor;
  }

  /** The extended resource this plugin registered, e.g. {@code nvidia.com/gpu}. */
  public String resourceName() {
    return request.getResourceName();
  }

  /** The Register call as the plugin sent it. */
  public RegisterRequest request() {
    return request;
  }

  /** {@link System#nanoTime()} when the Register call arrived. */
  public long registeredNanos() {
    return registeredNanos;
  }

  /** The options the plugin answered to GetDevicePluginOptions while Register was in flight. */
  public DevicePluginOptions options() {
    return options;
  }

  /** The device list of the latest ListAndWatch message; empty before the first. */
  public List<Device> devices() {
    return monitor.read(() -> devices);
  }

  /** {@link System#nanoTime()} of the latest ListAndWatch message; 0 before the first. */
  public long lastUpdateNanos() {
    return monitor.read(() -> lastUpdateNanos);
  }

  /** How many ListAndWatch messages arrived on this registration's stream. */
  public int updatesReceived() {
    return monitor.read(() -> updatesReceived);
  }

  /** Whether the stream is still open; the kubelet treats every device of a disconnected plugin as unhealthy. */
  public boolean isConnected() {
    return monitor.read(() -> endedBecause == null);
  }

  /**
   * Waits until the latest device list satisfies {@code condition}, re-checking on every ListAndWatch message.
   *
   * @return the list that satisfied the condition
   * @throws IllegalStateException on timeout, or at once if the stream has ended and the list can no longer change
   */
  public List<Device> awaitDevices(Predicate<List<Device>> condition, Duration timeout) {
    return monitor.await(
        () -> {
          if (condition.test(devices)) {
            return devices;
          }
          if (endedBecause != null) {
            throw new IllegalStateException("device list of " + resourceName()
                + " can no longer change: " + endedBecause + "; latest " + ids());
          }
          return null;
        },
        timeout,
        () -> "a device list of " + resourceName() + " matching the condition; latest " + ids());
  }

  /**
   * Calls Allocate with one container request per element of {@code deviceIdsPerContainer}.
   *
   * @throws StatusRuntimeException with the plugin's status if the call fails or passes the deadline
   */
  public AllocateResponse allocate(List<List<String>> deviceIdsPerContainer) {
    AllocateRequest.Builder call = AllocateRequest.newBuilder();
    for (List<String> ids : deviceIdsPerContainer) {
      call.addContainerRequests(ContainerAllocateRequest.newBuilder().addAllDevicesIds(ids));
    }
    return stub().allocate(call.build());
  }

  /**
   * Calls GetPreferredAllocation for one container.
   *
   * @throws StatusRuntimeException with the plugin's status if the call fails or passes the deadline
   */
  public PreferredAllocationResponse preferredAllocation(
      List<String> available, List<String> mustInclude, int size) {
    ContainerPreferredAllocationRequest container = ContainerPreferredAllocationRequest.newBuilder()
        .addAllAvailableDeviceIDs(available)
        .addAllMustIncludeDeviceIDs(mustInclude)
        .setAllocationSize(size)
        .build();
    PreferredAllocationRequest call =
        PreferredAllocationRequest.newBuilder().addContainerRequests(container).build();
    return stub().getPreferredAllocation(call);
  }

  /**
   * Calls PreStartContainer with the container's device IDs.
   *
   * @throws StatusRuntimeException with the plugin's status if the call fails or passes the deadline
   */
  public void preStart(List<String> deviceIds) {
    stub()
        .preStartContainer(
            PreStartContainerRequest.newBuilder().addAllDevicesIds(deviceIds).build());
  }

  @Override
  public String toString() {
    return "RegisteredPlugin[" + resourceName() + " at " + request.getEndpoint() + "]";
  }

  /** Opens the one ListAndWatch stream of this registration; the kubelet does this after answering Register. */
  void openStream() {
    if (!isConnected()) {
      return; // replaced or stopped before the stream could open
    }
    // Called from the Register handler: outside the root context the stream would be cancelled with
    // that call.
    Context.ROOT.run(() -> DevicePluginGrpc.newStub(channel)
        .listAndWatch(Empty.getDefaultInstance(), new DeviceListObserver()));
  }

  /** Cancels the stream and closes the channel; idempotent. */
  void disconnect(String reason) {
    ClientCallStreamObserver<Empty> open = monitor.updateAndGet(() -> {
      if (endedBecause == null) {
        endedBecause = reason;
      }
      return stream;
    });
    if (open != null) {
      open.cancel(reason, null);
    }
    channel.shutdownNow();
    log.debug(
        "disconnected resource={} endpoint={} reason={}",
        resourceName(),
        request.getEndpoint(),
        reason);
  }

  /** Waits for the channel to finish closing after {@link #disconnect}, before its event loop may be shut down. */
  void awaitDisconnected(Duration timeout) throws InterruptedException {
    channel.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  boolean hasDeviceList() {
    return monitor.read(() -> updatesReceived > 0);
  }

  Optional<String> endedBecause() {
    return monitor.read(() -> Optional.ofNullable(endedBecause));
  }

  private DevicePluginGrpc.DevicePluginBlockingStub stub() {
    return DevicePluginGrpc.newBlockingStub(channel).withDeadlineAfter(callTimeout);
  }

  private List<String> ids() {
    return devices.stream().map(d -> d.getID() + "=" + d.getHealth()).toList();
  }

  private void end(String reason) {
    boolean first = monitor.updateAndGet(() -> {
      boolean wasOpen = endedBecause == null;
      if (wasOpen) {
        endedBecause = reason;
      }
      return wasOpen;
    });
    if (first) {
      log.info(
          "ListAndWatch ended resource={} endpoint={} reason={}",
          resourceName(),
          request.getEndpoint(),
          reason);
    }
  }

  private final class DeviceListObserver
      implements ClientResponseObserver<Empty, ListAndWatchResponse> {

    @Override
    public void beforeStart(ClientCallStreamObserver<Empty> requestStream) {
      monitor.update(() -> stream = requestStream);
    }

    @Override
    public void onNext(ListAndWatchResponse message) {
      long now = System.nanoTime();
      monitor.update(() -> {
        if (endedBecause == null) {
          devices = List.copyOf(message.getDevicesList());
          lastUpdateNanos = now;
          updatesReceived++;
        }
      });
      log.debug("ListAndWatch resource={} devices={}", resourceName(), message.getDevicesCount());
    }

    @Override
    public void onError(Throwable error) {
      Status status = Status.fromThrowable(error);
      end("ListAndWatch failed: " + StatusText.describe(status));
    }

    @Override
    public void onCompleted() {
      end("the plugin ended its ListAndWatch stream");
    }
  }
}
