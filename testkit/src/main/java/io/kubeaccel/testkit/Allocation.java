package io.kubeaccel.testkit;

import io.kubeaccel.proto.deviceplugin.v1beta1.ContainerAllocateResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.Device;
import java.util.List;
import java.util.Objects;

/**
 * Devices of one resource held by one container, as the kubelet's checkpoint records them after a successful
 * admission.
 *
 * @param pod the pod the container belongs to
 * @param container the container's name
 * @param resourceName the extended resource, e.g. {@code nvidia.com/gpu}
 * @param devices the devices as the plugin last listed them at admission (ID and topology), in the order sent to
 *     Allocate
 * @param response what the plugin's Allocate answered for this container
 */
public record Allocation(
    PodRef pod,
    String container,
    String resourceName,
    List<Device> devices,
    ContainerAllocateResponse response) {

  public Allocation {
    Objects.requireNonNull(pod, "pod");
    Objects.requireNonNull(container, "container");
    Objects.requireNonNull(resourceName, "resourceName");
    devices = List.copyOf(devices);
    Objects.requireNonNull(response, "response");
  }

  /** The IDs of {@link #devices()}, in the same order. */
  public List<String> deviceIds() {
    return devices.stream().map(Device::getID).toList();
  }
}
