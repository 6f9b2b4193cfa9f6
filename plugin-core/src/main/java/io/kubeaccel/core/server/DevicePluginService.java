package io.kubeaccel.core.server;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.kubeaccel.core.spi.AdvertisedDevice;
import io.kubeaccel.core.spi.AllocationRequest;
import io.kubeaccel.core.spi.ContainerAllocation;
import io.kubeaccel.core.spi.InvalidRequestException;
import io.kubeaccel.core.spi.ModePlugin;
import io.kubeaccel.core.spi.PreStarter;
import io.kubeaccel.core.spi.PreferenceRequest;
import io.kubeaccel.core.spi.PreferredAllocator;
import io.kubeaccel.proto.deviceplugin.v1beta1.AllocateRequest;
import io.kubeaccel.proto.deviceplugin.v1beta1.AllocateResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.CDIDevice;
import io.kubeaccel.proto.deviceplugin.v1beta1.ContainerAllocateRequest;
import io.kubeaccel.proto.deviceplugin.v1beta1.ContainerAllocateResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.ContainerPreferredAllocationRequest;
import io.kubeaccel.proto.deviceplugin.v1beta1.ContainerPreferredAllocationResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.DevicePluginGrpc;
import io.kubeaccel.proto.deviceplugin.v1beta1.DevicePluginOptions;
import io.kubeaccel.proto.deviceplugin.v1beta1.DeviceSpec;
import io.kubeaccel.proto.deviceplugin.v1beta1.Empty;
import io.kubeaccel.proto.deviceplugin.v1beta1.ListAndWatchResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.Mount;
import io.kubeaccel.proto.deviceplugin.v1beta1.PreStartContainerRequest;
import io.kubeaccel.proto.deviceplugin.v1beta1.PreStartContainerResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.PreferredAllocationRequest;
import io.kubeaccel.proto.deviceplugin.v1beta1.PreferredAllocationResponse;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet-facing gRPC service of one resource: translates between protobuf and the domain, validates requests
 * against the current {@link DeviceCatalog}, and delegates decisions to the {@link ModePlugin}. Errors reach the
 * kubelet as gRPC statuses: bad input as INVALID_ARGUMENT naming what is wrong, internal failures as INTERNAL; no call
 * is left hanging.
 */
final class DevicePluginService extends DevicePluginGrpc.DevicePluginImplBase {

  private static final Logger log = LoggerFactory.getLogger(DevicePluginService.class);

  private final ModePlugin plugin;
  private final Supplier<DeviceCatalog> catalog;
  private final DeviceListStreams streams;
  private final AllocationObserver observer;

  DevicePluginService(
      ModePlugin plugin,
      Supplier<DeviceCatalog> catalog,
      DeviceListStreams streams,
      AllocationObserver observer) {
    this.plugin = plugin;
    this.catalog = catalog;
    this.streams = streams;
    this.observer = observer;
  }

  /** The options this resource advertises, derived from the abilities its plugin implements. */
  static DevicePluginOptions optionsOf(ModePlugin plugin) {
    return DevicePluginOptions.newBuilder()
        .setPreStartRequired(plugin instanceof PreStarter)
        .setGetPreferredAllocationAvailable(plugin instanceof PreferredAllocator)
        .build();
  }

  @Override
  public void getDevicePluginOptions(Empty request, StreamObserver<DevicePluginOptions> response) {
    response.onNext(optionsOf(plugin));
    response.onCompleted();
  }

  @Override
  public void listAndWatch(Empty request, StreamObserver<ListAndWatchResponse> response) {
    streams.open((ServerCallStreamObserver<ListAndWatchResponse>) response);
  }

  @Override
  public void getPreferredAllocation(
      PreferredAllocationRequest request, StreamObserver<PreferredAllocationResponse> response) {
    if (!(plugin instanceof PreferredAllocator allocator)) {
      response.onError(Status.UNIMPLEMENTED
          .withDescription(plugin.resourceName() + " does not offer GetPreferredAllocation")
          .asRuntimeException());
      return;
    }
    respond("GetPreferredAllocation", response, () -> {
      DeviceCatalog current = catalog.get();
      PreferredAllocationResponse.Builder out = PreferredAllocationResponse.newBuilder();
      for (ContainerPreferredAllocationRequest container : request.getContainerRequestsList()) {
        List<String> available = container.getAvailableDeviceIDsList();
        List<String> mustInclude = container.getMustIncludeDeviceIDsList();
        int size = container.getAllocationSize();
        current.checkPreference(plugin.resourceName(), available, mustInclude, size);
        List<String> chosen = allocator.preferredAllocation(
            new PreferenceRequest(available, mustInclude, size, current.inventory()));
        out.addContainerResponses(
            ContainerPreferredAllocationResponse.newBuilder().addAllDeviceIDs(chosen));
      }
      return out.build();
    });
  }

  @Override
  public void allocate(AllocateRequest request, StreamObserver<AllocateResponse> response) {
    long start = System.nanoTime();
    respond("Allocate", response, () -> {
      DeviceCatalog current = catalog.get();
      AllocateResponse.Builder out = AllocateResponse.newBuilder();
      if (request.getContainerRequestsCount() == 0) {
        throw new InvalidRequestException(plugin.resourceName() + ": Allocate names no containers");
      }
      for (ContainerAllocateRequest container : request.getContainerRequestsList()) {
        List<String> ids = container.getDevicesIdsList();
        List<AdvertisedDevice> devices = current.checkAllocation(plugin.resourceName(), ids);
        ContainerAllocation allocation =
            plugin.allocate(new AllocationRequest(ids, devices, current.inventory()));
        out.addContainerResponses(toWire(allocation));
        log.info("allocated resource={} devices={}", plugin.resourceName(), ids);
      }
      AllocateResponse built = out.build();
      observer.allocated(plugin.resourceName(), System.nanoTime() - start);
      return built;
    });
  }

  @Override
  public void preStartContainer(
      PreStartContainerRequest request, StreamObserver<PreStartContainerResponse> response) {
    respond("PreStartContainer", response, () -> {
      if (plugin instanceof PreStarter preStarter) {
        DeviceCatalog current = catalog.get();
        current.checkAllocation(plugin.resourceName(), request.getDevicesIdsList());
        preStarter.preStart(request.getDevicesIdsList(), current.inventory());
      }
      return PreStartContainerResponse.getDefaultInstance();
    });
  }

  /** Runs {@code call} and answers the kubelet: its value, INVALID_ARGUMENT for bad input, INTERNAL otherwise. */
  private <T> void respond(String method, StreamObserver<T> response, CallBody<T> call) {
    T value;
    try {
      value = call.run();
    } catch (InvalidRequestException e) {
      log.warn(
          "rejected method={} resource={} reason=\"{}\"",
          method,
          plugin.resourceName(),
          e.getMessage());
      observer.rejected(plugin.resourceName());
      response.onError(
          Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (RuntimeException e) {
      log.error("failed method={} resource={}", method, plugin.resourceName(), e);
      response.onError(Status.INTERNAL
          .withDescription(plugin.resourceName() + " " + method + " failed: " + e)
          .asRuntimeException());
      return;
    }
    response.onNext(value);
    response.onCompleted();
  }

  static ContainerAllocateResponse toWire(ContainerAllocation allocation) {
    ContainerAllocateResponse.Builder out = ContainerAllocateResponse.newBuilder()
        .putAllEnvs(allocation.envs())
        .putAllAnnotations(allocation.annotations());
    for (ContainerAllocation.Mount mount : allocation.mounts()) {
      out.addMounts(Mount.newBuilder()
          .setContainerPath(mount.containerPath())
          .setHostPath(mount.hostPath())
          .setReadOnly(mount.readOnly()));
    }
    for (ContainerAllocation.DeviceNode device : allocation.devices()) {
      out.addDevices(DeviceSpec.newBuilder()
          .setContainerPath(device.containerPath())
          .setHostPath(device.hostPath())
          .setPermissions(device.permissions()));
    }
    for (String name : allocation.cdiDevices()) {
      out.addCdiDevices(CDIDevice.newBuilder().setName(name));
    }
    return out.build();
  }

  @FunctionalInterface
  private interface CallBody<T> {
    T run();
  }
}
