package io.kubeaccel.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** What the kubelet's checkpoint holds: which container holds which devices, in admission order. Thread-safe. */
final class AllocationLedger {

  private final List<Allocation> allocations = new ArrayList<>();

  synchronized Optional<Allocation> find(String podUid, String container, String resourceName) {
    return allocations.stream()
        .filter(a -> a.pod().uid().equals(podUid))
        .filter(a -> a.container().equals(container) && a.resourceName().equals(resourceName))
        .findFirst();
  }

  synchronized Optional<PodRef> pod(String podUid) {
    return allocations.stream()
        .map(Allocation::pod)
        .filter(p -> p.uid().equals(podUid))
        .findFirst();
  }

  synchronized Set<String> devicesInUse(String resourceName) {
    return allocations.stream()
        .filter(a -> a.resourceName().equals(resourceName))
        .flatMap(a -> a.deviceIds().stream())
        .collect(Collectors.toSet());
  }

  synchronized void record(Allocation allocation) {
    allocations.add(allocation);
  }

  synchronized List<Allocation> release(String podUid) {
    List<Allocation> released =
        allocations.stream().filter(a -> a.pod().uid().equals(podUid)).toList();
    allocations.removeAll(released);
    return released;
  }

  synchronized List<Allocation> all() {
    return List.copyOf(allocations);
  }
}
