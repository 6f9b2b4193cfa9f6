package io.kubeaccel.testkit;

import io.grpc.Status;
import io.kubeaccel.proto.deviceplugin.v1beta1.Device;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The kubelet's table of registered plugins: the current registration per resource and the record of every Register
 * call. A kubelet restart starts a new generation: Register calls still in flight from the previous one are refused.
 */
final class PluginRegistry {

  private final StateMonitor monitor;

  // Guarded by monitor.
  private final Map<String, RegisteredPlugin> current = new LinkedHashMap<>();
  private final List<RegisterCall> calls = new ArrayList<>();
  private int generation;
  private boolean closed;

  PluginRegistry(StateMonitor monitor) {
    this.monitor = monitor;
  }

  StateMonitor monitor() {
    return monitor;
  }

  int generation() {
    return monitor.read(() -> generation);
  }

  /**
   * Makes {@code plugin} the current registration of its resource, unless the kubelet restarted or stopped since
   * {@code inGeneration} began.
   *
   * @return the registration it replaced, if any
   * @throws IllegalStateException if the generation is over; nothing is recorded then
   */
  Optional<RegisteredPlugin> install(RegisteredPlugin plugin, int inGeneration) {
    return monitor.updateAndGet(() -> {
      if (closed || inGeneration != generation) {
        throw new IllegalStateException("the kubelet restarted while Register was in flight");
      }
      calls.add(new RegisterCall(plugin.request(), plugin.registeredNanos(), Status.OK));
      return Optional.ofNullable(current.put(plugin.resourceName(), plugin));
    });
  }

  void refused(RegisterCall call) {
    monitor.update(() -> calls.add(call));
  }

  /** Ends the current generation and returns the registrations it held, for the caller to disconnect. */
  List<RegisteredPlugin> endGeneration(boolean stop) {
    return monitor.updateAndGet(() -> {
      generation++;
      closed |= stop;
      List<RegisteredPlugin> ended = List.copyOf(current.values());
      current.clear();
      return ended;
    });
  }

  Optional<RegisteredPlugin> current(String resourceName) {
    return monitor.read(() -> Optional.ofNullable(current.get(resourceName)));
  }

  RegisteredPlugin awaitFirstList(String resourceName, Duration timeout) {
    return monitor.await(
        () -> {
          RegisteredPlugin plugin = current.get(resourceName);
          return plugin != null && plugin.hasDeviceList() ? plugin : null;
        },
        timeout,
        () ->
            "a registration of " + resourceName + " with a first device list; " + describeCalls());
  }

  RegisteredPlugin awaitAcceptedCount(String resourceName, int count, Duration timeout) {
    return monitor.await(
        () -> {
          RegisteredPlugin plugin = current.get(resourceName);
          return plugin != null && plugin.hasDeviceList() && countAccepted(resourceName) >= count
              ? plugin
              : null;
        },
        timeout,
        () -> "registration number " + count + " of " + resourceName + " with a first device list; "
            + describeCalls());
  }

  List<RegisterCall> calls() {
    return monitor.read(() -> List.copyOf(calls));
  }

  int acceptedCount(String resourceName) {
    return monitor.read(() -> countAccepted(resourceName));
  }

  private int countAccepted(String resourceName) {
    return (int) calls.stream()
        .filter(c -> c.accepted() && c.request().getResourceName().equals(resourceName))
        .count();
  }

  /** The latest device list of every current registration, by resource. */
  Map<String, List<Device>> devicesByResource() {
    return monitor.read(() -> {
      Map<String, List<Device>> devices = new LinkedHashMap<>();
      current.forEach((resource, plugin) -> devices.put(resource, plugin.devices()));
      return devices;
    });
  }

  private String describeCalls() {
    if (calls.isEmpty()) {
      return "no Register call arrived";
    }
    List<String> seen = new ArrayList<>();
    for (RegisterCall call : calls) {
      String outcome =
          call.accepted() ? "accepted" : "refused: " + call.status().getDescription();
      seen.add(
          call.request().getResourceName() + " at " + call.request().getEndpoint() + " " + outcome);
    }
    return "Register calls so far: " + seen;
  }
}
