package io.kubeaccel.core.ledger;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kubeaccel.proto.UnixSocketTransport;
import io.kubeaccel.proto.podresources.v1.ContainerDevices;
import io.kubeaccel.proto.podresources.v1.ContainerResources;
import io.kubeaccel.proto.podresources.v1.GetPodResourcesRequest;
import io.kubeaccel.proto.podresources.v1.GetPodResourcesResponse;
import io.kubeaccel.proto.podresources.v1.ListPodResourcesRequest;
import io.kubeaccel.proto.podresources.v1.ListPodResourcesResponse;
import io.kubeaccel.proto.podresources.v1.PodResources;
import io.kubeaccel.proto.podresources.v1.PodResourcesListerGrpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The kubelet's PodResources v1 {@code List} over its unix socket, for reconciling the {@link Ledger} at start (and for
 * seeing which cards another mode's containers hold). One channel, opened lazily on the first call and reused; each
 * call has the deadline given at construction. Thread-safe.
 */
public final class PodResourcesClient implements AutoCloseable {

  /** Where the kubelet serves the PodResources API. */
  public static final Path KUBELET_SOCKET = Path.of("/var/lib/kubelet/pod-resources/kubelet.sock");

  /** The kubelet's own clients accept answers this large (a node with many pods). */
  private static final int MAX_ANSWER_BYTES = 16 * 1024 * 1024;

  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);

  private final Path socket;
  private final Duration timeout;
  private final UnixSocketTransport transport;
  private final ManagedChannel channel;

  /**
   * A client of the PodResources API on {@code socket} ({@link #KUBELET_SOCKET} on a node); nothing is dialled yet.
   *
   * @param timeout how long one {@link #list()} may take, connecting included
   * @throws IllegalArgumentException if the socket path is too long for a unix socket or the timeout is not positive
   */
  public PodResourcesClient(Path socket, Duration timeout) {
    this.socket = Objects.requireNonNull(socket, "socket").toAbsolutePath();
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("PodResources timeout must be positive, got " + timeout);
    }
    this.timeout = timeout;
    this.transport = new UnixSocketTransport("pod-resources", 1);
    try {
      this.channel = transport.channel(this.socket);
    } catch (RuntimeException e) {
      transport.close();
      throw e;
    }
  }

  /**
   * Every container the kubelet holds devices (or none) for, in the kubelet's order, with the entries of one resource
   * merged: the kubelet answers one entry per device and NUMA node, so a device on two NUMA nodes appears once. Device
   * IDs keep the kubelet's order.
   *
   * @throws PodResourcesException naming the socket and the gRPC status when the kubelet is not there or does not
   *     answer within the timeout
   */
  public List<ListedContainer> list() {
    ListPodResourcesResponse answer;
    try {
      answer = PodResourcesListerGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
          .withMaxInboundMessageSize(MAX_ANSWER_BYTES)
          .list(ListPodResourcesRequest.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      throw new PodResourcesException(socket, e.getStatus(), e);
    }
    List<ListedContainer> containers = new ArrayList<>();
    for (PodResources pod : answer.getPodResourcesList()) {
      for (ContainerResources container : pod.getContainersList()) {
        containers.add(new ListedContainer(
            pod.getNamespace(), pod.getName(), container.getName(), merged(container)));
      }
    }
    return List.copyOf(containers);
  }

  /**
   * One pod's containers (the kubelet's v1 {@code Get}, Kubernetes 1.27+): much cheaper than {@link #list()} on a
   * busy node. Empty when the kubelet does not know the pod.
   *
   * @throws PodResourcesException when the kubelet does not answer, or lacks {@code Get} ({@code UNIMPLEMENTED}:
   *     fall back to {@link #list()})
   */
  public List<ListedContainer> get(String namespace, String pod) {
    GetPodResourcesResponse answer;
    try {
      answer = PodResourcesListerGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
          .withMaxInboundMessageSize(MAX_ANSWER_BYTES)
          .get(GetPodResourcesRequest.newBuilder()
              .setPodNamespace(namespace)
              .setPodName(pod)
              .build());
    } catch (StatusRuntimeException e) {
      String description = String.valueOf(e.getStatus().getDescription());
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND
          || (e.getStatus().getCode() == Status.Code.UNKNOWN
              && description.contains("not found"))) {
        return List
            .of(); // the kubelet answers an unknown pod with a plain error: UNKNOWN "... not found"
      }
      throw new PodResourcesException(socket, e.getStatus(), e);
    }
    PodResources resources = answer.getPodResources();
    List<ListedContainer> containers = new ArrayList<>();
    for (ContainerResources container : resources.getContainersList()) {
      containers.add(new ListedContainer(
          resources.getNamespace(), resources.getName(), container.getName(), merged(container)));
    }
    return List.copyOf(containers);
  }

  /** Closes the channel; calls in flight fail. Idempotent. */
  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(CLOSE_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    transport.close();
  }

  private static Map<String, List<String>> merged(ContainerResources container) {
    Map<String, Set<String>> ids = new LinkedHashMap<>();
    for (ContainerDevices entry : container.getDevicesList()) {
      ids.computeIfAbsent(entry.getResourceName(), resource -> new LinkedHashSet<>())
          .addAll(entry.getDeviceIdsList());
    }
    Map<String, List<String>> merged = new LinkedHashMap<>();
    ids.forEach((resource, set) -> merged.put(resource, List.copyOf(set)));
    return merged;
  }
}
