package io.kubeaccel.testkit;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.kubeaccel.proto.deviceplugin.v1beta1.Device;
import io.kubeaccel.proto.podresources.v1.AllocatableResourcesRequest;
import io.kubeaccel.proto.podresources.v1.AllocatableResourcesResponse;
import io.kubeaccel.proto.podresources.v1.ContainerDevices;
import io.kubeaccel.proto.podresources.v1.ContainerResources;
import io.kubeaccel.proto.podresources.v1.GetPodResourcesRequest;
import io.kubeaccel.proto.podresources.v1.GetPodResourcesResponse;
import io.kubeaccel.proto.podresources.v1.ListPodResourcesRequest;
import io.kubeaccel.proto.podresources.v1.ListPodResourcesResponse;
import io.kubeaccel.proto.podresources.v1.NUMANode;
import io.kubeaccel.proto.podresources.v1.PodResources;
import io.kubeaccel.proto.podresources.v1.PodResourcesListerGrpc;
import io.kubeaccel.proto.podresources.v1.TopologyInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Translates the stand-in's allocations into the kubelet's PodResources v1 answers, in the kubelet's shape: one
 * {@link ContainerDevices} per device and NUMA node (a device without topology gets one entry without topology), not
 * one per resource. Clients must merge entries of the same resource, as they must against a real kubelet.
 */
final class PodResourcesService extends PodResourcesListerGrpc.PodResourcesListerImplBase {

  private final KubeletStandIn kubelet;

  PodResourcesService(KubeletStandIn kubelet) {
    this.kubelet = kubelet;
  }

  @Override
  public void list(
      ListPodResourcesRequest request, StreamObserver<ListPodResourcesResponse> response) {
    response.onNext(ListPodResourcesResponse.newBuilder()
        .addAllPodResources(pods(null, null).values())
        .build());
    response.onCompleted();
  }

  @Override
  public void get(
      GetPodResourcesRequest request, StreamObserver<GetPodResourcesResponse> response) {
    Optional<PodResources> pod =
        pods(request.getPodNamespace(), request.getPodName()).values().stream().findFirst();
    if (pod.isEmpty()) {
      // The kubelet answers an unknown pod with a plain Go error, which arrives as UNKNOWN.
      String why = "pod " + request.getPodName() + " in namespace " + request.getPodNamespace()
          + " not found";
      response.onError(Status.UNKNOWN.withDescription(why).asRuntimeException());
      return;
    }
    response.onNext(
        GetPodResourcesResponse.newBuilder().setPodResources(pod.get()).build());
    response.onCompleted();
  }

  @Override
  public void getAllocatableResources(
      AllocatableResourcesRequest request, StreamObserver<AllocatableResourcesResponse> response) {
    AllocatableResourcesResponse.Builder answer = AllocatableResourcesResponse.newBuilder();
    kubelet
        .registeredDevices()
        .forEach((resource, devices) -> answer.addAllDevices(entries(resource, devices)));
    response.onNext(answer.build());
    response.onCompleted();
  }

  /**
   * Pods with their containers, both in admission order: every pod, or only the one named when {@code namespace} is
   * not null (Get stays cheap on a node with thousands of containers, as the kubelet's is).
   */
  private Map<PodRef, PodResources> pods(String namespace, String podName) {
    Map<PodRef, Map<String, List<ContainerDevices>>> byPod = new LinkedHashMap<>();
    for (Allocation allocation : kubelet.allocations()) {
      if (namespace != null
          && !(allocation.pod().namespace().equals(namespace)
              && allocation.pod().name().equals(podName))) {
        continue;
      }
      byPod
          .computeIfAbsent(allocation.pod(), pod -> new LinkedHashMap<>())
          .computeIfAbsent(allocation.container(), container -> new ArrayList<>())
          .addAll(entries(allocation.resourceName(), allocation.devices()));
    }
    Map<PodRef, PodResources> pods = new LinkedHashMap<>();
    byPod.forEach((pod, containers) -> {
      PodResources.Builder resources =
          PodResources.newBuilder().setNamespace(pod.namespace()).setName(pod.name());
      containers.forEach((name, devices) -> resources.addContainers(
          ContainerResources.newBuilder().setName(name).addAllDevices(devices)));
      pods.put(pod, resources.build());
    });
    return pods;
  }

  private static List<ContainerDevices> entries(String resourceName, List<Device> devices) {
    List<ContainerDevices> entries = new ArrayList<>();
    for (Device device : devices) {
      ContainerDevices.Builder entry =
          ContainerDevices.newBuilder().setResourceName(resourceName).addDeviceIds(device.getID());
      if (!device.hasTopology() || device.getTopology().getNodesCount() == 0) {
        entries.add(entry.build());
        continue;
      }
      for (var node : device.getTopology().getNodesList()) {
        NUMANode numa = NUMANode.newBuilder().setID(node.getID()).build();
        entries.add(
            entry.clone().setTopology(TopologyInfo.newBuilder().addNodes(numa)).build());
      }
    }
    return entries;
  }
}
