package io.kubeaccel.core.ledger;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One container as the kubelet's PodResources API lists it: the kubelet knows it holds these devices (the API carries
 * no pod UID). Immutable.
 *
 * @param deviceIdsByResource device IDs per extended resource name, each list in the kubelet's order without
 *     repeats; empty when the container holds no devices; resources in the order the kubelet listed them
 * @throws NullPointerException if any part is null
 */
public record ListedContainer(
    String namespace, String pod, String container, Map<String, List<String>> deviceIdsByResource) {

  public ListedContainer {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(pod, "pod");
    Objects.requireNonNull(container, "container");
    Map<String, List<String>> copy = new LinkedHashMap<>();
    deviceIdsByResource.forEach((resource, ids) ->
        copy.put(Objects.requireNonNull(resource, "resource"), List.copyOf(ids)));
    deviceIdsByResource = Collections.unmodifiableMap(copy);
  }

  /** The device IDs of {@code resource}; empty if the container holds none of it. */
  public List<String> deviceIds(String resource) {
    return deviceIdsByResource.getOrDefault(resource, List.of());
  }

  /** Whether this is the container {@code ref} names (ignoring the pod UID, which the kubelet does not report). */
  public boolean is(ContainerRef ref) {
    return ref.isNamed(namespace, pod, container);
  }
}
