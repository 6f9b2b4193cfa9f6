package io.kubeaccel.core.server;

import io.grpc.stub.ServerCallStreamObserver;
import io.kubeaccel.core.inventory.Health;
import io.kubeaccel.core.spi.AdvertisedDevice;
import io.kubeaccel.proto.deviceplugin.v1beta1.Device;
import io.kubeaccel.proto.deviceplugin.v1beta1.ListAndWatchResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.NUMANode;
import io.kubeaccel.proto.deviceplugin.v1beta1.TopologyInfo;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open ListAndWatch streams of one resource. Every stream gets the full device list when it opens and again on
 * every change; a stream never receives an older list after a newer one, whichever thread sends.
 */
final class DeviceListStreams {

  private static final Logger log = LoggerFactory.getLogger(DeviceListStreams.class);

  private final String resource;
  private final Supplier<DeviceCatalog> catalog;
  private final Set<Stream> streams = ConcurrentHashMap.newKeySet();

  DeviceListStreams(String resource, Supplier<DeviceCatalog> catalog) {
    this.resource = resource;
    this.catalog = catalog;
  }

  /** Registers a new stream and sends it the current list. */
  void open(ServerCallStreamObserver<ListAndWatchResponse> observer) {
    Stream stream = new Stream(observer);
    observer.setOnCancelHandler(() -> streams.remove(stream));
    streams.add(stream);
    log.info("listandwatch opened resource={} streams={}", resource, streams.size());
    stream.sendLatest();
  }

  /** Sends the current list to every stream that has not seen it yet. */
  void broadcast() {
    for (Stream stream : streams) {
      stream.sendLatest();
    }
  }

  /** Ends every stream (the server is going away); the kubelet will open new ones after re-registration. */
  void closeAll() {
    for (Stream stream : streams) {
      stream.complete();
    }
    streams.clear();
  }

  int size() {
    return streams.size();
  }

  static ListAndWatchResponse toWire(List<AdvertisedDevice> devices) {
    ListAndWatchResponse.Builder response = ListAndWatchResponse.newBuilder();
    for (AdvertisedDevice device : devices) {
      Device.Builder wire = Device.newBuilder()
          .setID(device.id())
          .setHealth(device.healthy() ? Health.HEALTHY : Health.UNHEALTHY);
      if (!device.numaNodes().isEmpty()) {
        TopologyInfo.Builder topology = TopologyInfo.newBuilder();
        for (int node : device.numaNodes()) {
          topology.addNodes(NUMANode.newBuilder().setID(node));
        }
        wire.setTopology(topology);
      }
      response.addDevices(wire);
    }
    return response.build();
  }

  /** One stream; sends are serialised and never go backwards in inventory generation. */
  private final class Stream {
    private final ServerCallStreamObserver<ListAndWatchResponse> observer;
    private DeviceCatalog sent;
    private boolean done;

    Stream(ServerCallStreamObserver<ListAndWatchResponse> observer) {
      this.observer = observer;
    }

    synchronized void sendLatest() {
      DeviceCatalog latest = catalog.get();
      if (done || latest == sent || latest.sameDevicesAs(sent)) {
        return;
      }
      try {
        observer.onNext(toWire(latest.devices()));
        sent = latest;
      } catch (RuntimeException e) {
        // The kubelet went away mid-send; it will reconnect and get a full list.
        done = true;
        streams.remove(this);
        log.debug("listandwatch send failed resource={} reason=\"{}\"", resource, e.toString());
      }
    }

    synchronized void complete() {
      if (!done) {
        done = true;
        try {
          observer.onCompleted();
        } catch (RuntimeException e) {
          log.debug("listandwatch close failed resource={} reason=\"{}\"", resource, e.toString());
        }
      }
    }
  }
}
