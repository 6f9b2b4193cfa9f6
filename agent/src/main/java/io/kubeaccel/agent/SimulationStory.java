package io.kubeaccel.agent;

import static io.kubeaccel.agent.SimulateCommand.ms;

import io.grpc.StatusRuntimeException;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.MigDevice;
import io.kubeaccel.proto.deviceplugin.v1beta1.ContainerAllocateResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.Device;
import io.kubeaccel.proto.deviceplugin.v1beta1.DeviceSpec;
import io.kubeaccel.proto.deviceplugin.v1beta1.Mount;
import io.kubeaccel.testkit.AdmissionException;
import io.kubeaccel.testkit.Allocation;
import io.kubeaccel.testkit.KubeletStandIn;
import io.kubeaccel.testkit.PodRef;
import io.kubeaccel.testkit.RegisteredPlugin;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The scripted part of {@code simulate}, played on the resource with the most devices; each step checks what it
 * shows and fails the run if it did not happen.
 */
record SimulationStory(
    PrintWriter out,
    SimulatedNode node,
    KubeletStandIn kubelet,
    RegisteredPlugin plugin,
    Inventory inventory) {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private String resource() {
    return plugin.resourceName();
  }

  /** Whether the resource's devices are replicas of time-sliced cards. */
  private boolean replicated() {
    return plugin.devices().stream().anyMatch(d -> d.getID().contains("::"));
  }

  void allocate() {
    out.printf(
        "%nAllocate (the kubelet admits sample containers; it asks GetPreferredAllocation first):%n");
    int devices = plugin.devices().size();
    if (replicated() || devices < 3) {
      for (int i = 1; i <= Math.min(3, devices - 1); i++) {
        admit(new PodRef("uid-worker-" + i, "ml", "worker-" + i), "main", 1);
      }
    } else {
      admit(new PodRef("uid-train", "ml", "trainer"), "main", 2);
      admit(new PodRef("uid-infer", "ml", "inference"), "server", 1);
    }
  }

  private void admit(PodRef pod, String container, int count) {
    ContainerAllocateResponse response = kubelet.admit(pod, container, resource(), count);
    Allocation allocation = kubelet.allocations().get(kubelet.allocations().size() - 1);
    out.printf(
        "  %s/%s container %s asks %d of %s -> %s%n",
        pod.namespace(),
        pod.name(),
        container,
        count,
        resource(),
        describe(allocation.deviceIds()));
    response.getEnvsMap().forEach((key, value) -> out.printf("    env        %s=%s%n", key, value));
    for (Mount mount : response.getMountsList()) {
      out.printf("    mount      %s <- %s%n", mount.getContainerPath(), mount.getHostPath());
    }
    response
        .getAnnotationsMap()
        .forEach((key, value) -> out.printf("    annotation %s=%s%n", key, value));
    response.getCdiDevicesList().forEach(cdi -> out.printf("    cdi device %s%n", cdi.getName()));
    for (DeviceSpec spec : response.getDevicesList()) {
      out.printf("    device     %s (%s)%n", spec.getHostPath(), spec.getPermissions());
    }
  }

  /** Device IDs as card (and MIG slot, replica) names, with the NVLinks between the cards when there are several. */
  private String describe(List<String> deviceIds) {
    List<String> names = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    for (String id : deviceIds) {
      String uuid = id.contains("::") ? id.substring(0, id.indexOf("::")) : id;
      Gpu card = cardOf(id);
      int position = inventory.position(card.uuid());
      if (!positions.contains(position)) {
        positions.add(position);
      }
      String name = "gpu" + card.index();
      for (MigDevice mig : card.migDevices()) {
        if (mig.uuid().equals(uuid)) {
          name += " MIG " + mig.profile() + " slot " + mig.index();
        }
      }
      names.add(id.contains("::") ? name + " replica " + id.substring(id.indexOf("::") + 2) : name);
    }
    int links = 0;
    for (int i = 0; i < positions.size(); i++) {
      for (int j = i + 1; j < positions.size(); j++) {
        links += inventory.topology().nvlinks(positions.get(i), positions.get(j));
      }
    }
    String joined = String.join(", ", names);
    return positions.size() > 1 ? joined + " (" + links + " NVLinks between the cards)" : joined;
  }

  /** The card a device ID (card, MIG device or replica) belongs to. */
  private Gpu cardOf(String deviceId) {
    String uuid =
        deviceId.contains("::") ? deviceId.substring(0, deviceId.indexOf("::")) : deviceId;
    for (Gpu gpu : inventory.gpus()) {
      if (gpu.uuid().equals(uuid)
          || gpu.migDevices().stream().anyMatch(m -> m.uuid().equals(uuid))) {
        return gpu;
      }
    }
    throw new IllegalStateException("device " + deviceId + " belongs to no card of the node");
  }

  /** The devices of {@code devices} on {@code card}. */
  private List<Device> on(List<Device> devices, Gpu card) {
    return devices.stream()
        .filter(d -> cardOf(d.getID()).uuid().equals(card.uuid()))
        .toList();
  }

  void healthEvents() {
    out.printf("%nHealth (XID events injected into the fake NVML):%n");
    List<Gpu> cards = inventory.gpus().stream()
        .filter(gpu -> !on(plugin.devices(), gpu).isEmpty())
        .toList();
    Gpu ignored = cards.get(0);
    Gpu faulty = cards.get(cards.size() - 1);
    // XID 13 first: events are delivered in order, so once the XID 79 shows, the XID 13 was handled
    // too.
    node.nvml().injectXid(ignored.uuid(), 13);
    long injected = System.nanoTime();
    node.nvml().injectXid(faulty.uuid(), 79);
    List<Device> devices = plugin.awaitDevices(
        list -> list.stream()
            .filter(d -> d.getID().startsWith(faulty.uuid()))
            .allMatch(d -> unhealthy(d)),
        WAIT);
    long replicas =
        devices.stream().filter(d -> d.getID().startsWith(faulty.uuid())).count();
    out.printf(
        "  XID 79 on gpu%d -> the kubelet sees its %d device(s) Unhealthy after %.1f ms%n",
        faulty.index(), replicas, ms(injected, plugin.lastUpdateNanos()));
    if (devices.stream()
        .filter(d -> d.getID().startsWith(ignored.uuid()))
        .anyMatch(d -> unhealthy(d))) {
      throw new IllegalStateException(
          "XID 13 (an application error) must not make gpu" + ignored.index() + " unhealthy");
    }
    out.printf(
        "  XID 13 on gpu%d -> ignored (an application error), still Healthy%n", ignored.index());
  }

  void kubeletRestart() throws IOException {
    out.printf("%nKubelet restart (device-plugin dir wiped, new kubelet.sock):%n");
    int before = kubelet.allocations().size();
    int registered = kubelet.registrationCount(resource());
    long restarted = kubelet.restart();
    RegisteredPlugin again = kubelet.awaitRegistrationCount(resource(), registered + 1, WAIT);
    out.printf(
        "  agent re-registered %.1f ms after kubelet.sock reappeared; %d allocations kept; %d devices advertised%n",
        ms(restarted, again.registeredNanos()),
        kubelet.allocations().size(),
        again.devices().size());
    if (kubelet.allocations().size() != before) {
      throw new IllegalStateException("allocations changed across the kubelet restart");
    }
  }

  void badInput() {
    out.printf("%nBad input (refused, nothing changes):%n");
    RegisteredPlugin current = kubelet.awaitRegistration(resource(), WAIT);
    String real = current.devices().get(0).getID();
    try {
      current.allocate(List.of(List.of("GPU-does-not-exist", real, real)));
      throw new IllegalStateException("an Allocate of unknown and duplicate IDs was accepted");
    } catch (StatusRuntimeException e) {
      out.printf(
          "  Allocate [GPU-does-not-exist, %s, %s] -> %s%n",
          shortId(real), shortId(real), e.getStatus().getCode());
      out.printf("    %s%n", e.getStatus().getDescription());
    }
    int healthy = (int) current.devices().stream().filter(d -> !unhealthy(d)).count();
    try {
      kubelet.admit(new PodRef("uid-big", "ml", "too-big"), "main", resource(), healthy + 1);
      throw new IllegalStateException(
          "a container asking more devices than the node has was admitted");
    } catch (AdmissionException e) {
      out.printf("  a container asking %d -> not admitted: %s%n", healthy + 1, e.getMessage());
    }
  }

  private static boolean unhealthy(Device device) {
    return !device.getHealth().equals("Healthy");
  }

  private static String shortId(String id) {
    return id.length() > 12 ? id.substring(0, 12) + "..." : id;
  }
}
