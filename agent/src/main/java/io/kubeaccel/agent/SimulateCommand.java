package io.kubeaccel.agent;

import io.grpc.StatusRuntimeException;
import io.kubeaccel.core.AgentRuntime;
import io.kubeaccel.core.inventory.DeviceNodes;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.server.AllocationObserver;
import io.kubeaccel.pgpu.WholeCardOptions;
import io.kubeaccel.pgpu.WholeCardPlugin;
import io.kubeaccel.proto.deviceplugin.v1beta1.ContainerAllocateResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.Device;
import io.kubeaccel.proto.deviceplugin.v1beta1.DeviceSpec;
import io.kubeaccel.testkit.AdmissionException;
import io.kubeaccel.testkit.KubeletStandIn;
import io.kubeaccel.testkit.PodRef;
import io.kubeaccel.testkit.RegisteredPlugin;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the pGPU agent on a simulated node against the kubelet stand-in and tells what happens: what the node has, what
 * it advertises, what sample containers receive, how a GPU fault and a kubelet restart are handled, how bad input is
 * refused. Needs no GPU and no cluster; exits 0 when everything behaved.
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
      "Run the suite on a simulated node (fake NVML through the real JNA path, real unix-socket gRPC, a kubelet"
          + " stand-in) and print what the node advertises and what sample containers receive. No GPU or cluster"
          + " needed."
    })
final class SimulateCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Option(
      names = "--preset",
      paramLabel = "NODE",
      defaultValue = "four-gpu",
      converter = PresetConverter.class,
      description = "Simulated node: four-gpu, dgx1, hgx-h100 or pcie8. Default: ${DEFAULT-VALUE}.")
  NodePreset preset;

  @Option(names = "--verbose", description = "Show the agent's own log (info level) on stderr.")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    Logging.configure(Logging.Format.TEXT, verbose ? "info" : "warn");
    PrintWriter out = spec.commandLine().getOut();
    out.printf("kubeaccel simulate: preset %s (%s)%n", preset, preset.description());
    try (SimulatedNode node = SimulatedNode.create(preset);
        KubeletStandIn kubelet = KubeletStandIn.start(node.deviceDir())) {
      WholeCardPlugin plugin = new WholeCardPlugin(
          new WholeCardOptions(true, WholeCardOptions.DeviceIdStrategy.UUID),
          DeviceNodes.scan(node.hostRoot()));
      long start = System.nanoTime();
      try (AgentRuntime agent = AgentRuntime.start(
          node.agentSettings(), List.of(plugin), AllocationObserver.NONE, Clock.systemUTC())) {
        RegisteredPlugin gpus = kubelet.awaitRegistration(WholeCardPlugin.RESOURCE, WAIT);
        out.printf(
            "%nagent registered %s with the kubelet in %.1f ms%n",
            WholeCardPlugin.RESOURCE, ms(start, gpus.registeredNanos()));
        Inventory inventory = agent.inventory().current();
        printNode(out, inventory);
        printAdvertised(out, gpus.devices());
        Story story = new Story(out, node, kubelet, gpus, inventory);
        story.allocate();
        story.healthEvents();
        story.kubeletRestart();
        story.badInput();
      }
    }
    out.printf("%nsimulation finished: all steps behaved as expected%n");
    return 0;
  }

  private static void printNode(PrintWriter out, Inventory inventory) {
    out.printf(
        "%nNode (from NVML via JNA): driver %s, CUDA %s%n",
        inventory.driver().version(), inventory.driver().cudaVersion());
    out.printf(
        "  %-5s %-40s %-26s %9s %5s  %s%n", "index", "uuid", "model", "memory", "numa", "nvlinks");
    for (int i = 0; i < inventory.gpus().size(); i++) {
      Gpu gpu = inventory.gpus().get(i);
      StringBuilder links = new StringBuilder();
      for (int j = 0; j < inventory.gpus().size(); j++) {
        int count = inventory.topology().nvlinks(i, j);
        if (count > 0) {
          links
              .append(links.length() == 0 ? "" : " ")
              .append("gpu")
              .append(j)
              .append('x')
              .append(count);
        }
      }
      out.printf(
          "  %-5d %-40s %-26s %6d MiB %5d  %s%n",
          gpu.index(),
          gpu.uuid(),
          gpu.model(),
          gpu.memoryMiB(),
          gpu.numaNode(),
          links.length() == 0 ? "-" : links);
    }
  }

  private static void printAdvertised(PrintWriter out, List<Device> devices) {
    out.printf("%nAdvertised to the kubelet (ListAndWatch, %s):%n", WholeCardPlugin.RESOURCE);
    for (Device device : devices) {
      out.printf(
          "  %-40s %-9s numa=%s%n",
          device.getID(),
          device.getHealth(),
          device.getTopology().getNodesList().stream()
              .map(n -> Long.toString(n.getID()))
              .collect(Collectors.joining(",")));
    }
  }

  static double ms(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1_000_000.0;
  }

  /** The scripted part of the demonstration; each step checks what it shows and fails the run if it did not happen. */
  private record Story(
      PrintWriter out,
      SimulatedNode node,
      KubeletStandIn kubelet,
      RegisteredPlugin gpus,
      Inventory inventory) {

    void allocate() {
      out.printf("%nAllocate (the kubelet admits sample containers; --pass-device-specs on):%n");
      admit(new PodRef("uid-train", "ml", "trainer"), "main", 2);
      admit(new PodRef("uid-infer", "ml", "inference"), "server", 1);
    }

    private void admit(PodRef pod, String container, int count) {
      ContainerAllocateResponse response =
          kubelet.admit(pod, container, WholeCardPlugin.RESOURCE, count);
      out.printf(
          "  %s/%s container %s asks %d GPU(s):%n", pod.namespace(), pod.name(), container, count);
      response.getEnvsMap().forEach((key, value) -> out.printf("    env    %s=%s%n", key, value));
      for (DeviceSpec spec : response.getDevicesList()) {
        out.printf("    device %s (%s)%n", spec.getHostPath(), spec.getPermissions());
      }
    }

    void healthEvents() {
      out.printf("%nHealth (XID events injected into the fake NVML):%n");
      String ignored = inventory.gpus().get(0).uuid();
      String faulty = inventory.gpus().get(inventory.gpus().size() - 1).uuid();
      // XID 13 first: events are delivered in order, so once the XID 79 shows, the XID 13 was
      // handled too.
      node.nvml().injectXid(ignored, 13);
      long injected = System.nanoTime();
      node.nvml().injectXid(faulty, 79);
      List<Device> devices =
          gpus.awaitDevices(list -> health(list, faulty).equals("Unhealthy"), WAIT);
      out.printf(
          "  XID 79 on %s -> kubelet sees it Unhealthy after %.1f ms%n",
          faulty, ms(injected, gpus.lastUpdateNanos()));
      String stillHealthy = health(devices, ignored);
      if (!stillHealthy.equals("Healthy")) {
        throw new IllegalStateException(
            "XID 13 (an application error) must not make " + ignored + " unhealthy");
      }
      out.printf(
          "  XID 13 on %s -> ignored (application error), still %s%n", ignored, stillHealthy);
    }

    void kubeletRestart() throws java.io.IOException {
      out.printf("%nKubelet restart (device-plugin dir wiped, new kubelet.sock):%n");
      int before = kubelet.allocations().size();
      int registered = kubelet.registrationCount(WholeCardPlugin.RESOURCE);
      long restarted = kubelet.restart();
      RegisteredPlugin again =
          kubelet.awaitRegistrationCount(WholeCardPlugin.RESOURCE, registered + 1, WAIT);
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
      RegisteredPlugin current = kubelet.awaitRegistration(WholeCardPlugin.RESOURCE, WAIT);
      String real = inventory.gpus().get(0).uuid();
      try {
        current.allocate(List.of(List.of("GPU-does-not-exist", real, real)));
        throw new IllegalStateException("an Allocate of unknown and duplicate IDs was accepted");
      } catch (StatusRuntimeException e) {
        out.printf(
            "  Allocate [GPU-does-not-exist, %s, %s] -> %s%n",
            shortId(real), shortId(real), e.getStatus().getCode());
        out.printf("    %s%n", e.getStatus().getDescription());
      }
      int healthyFree = (int) current.devices().stream()
          .filter(d -> d.getHealth().equals("Healthy"))
          .count();
      try {
        kubelet.admit(
            new PodRef("uid-big", "ml", "too-big"),
            "main",
            WholeCardPlugin.RESOURCE,
            healthyFree + 1);
        throw new IllegalStateException(
            "a container asking more GPUs than the node has was admitted");
      } catch (AdmissionException e) {
        out.printf(
            "  a container asking %d GPUs -> not admitted: %s%n", healthyFree + 1, e.getMessage());
      }
    }

    private static String shortId(String uuid) {
      return uuid.length() > 12 ? uuid.substring(0, 12) + "..." : uuid;
    }

    private static String health(List<Device> devices, String id) {
      return devices.stream()
          .filter(d -> d.getID().equals(id))
          .map(Device::getHealth)
          .findFirst()
          .orElse("absent");
    }
  }

  /** Parses preset names, reporting an unknown one as a usage error. */
  static final class PresetConverter implements picocli.CommandLine.ITypeConverter<NodePreset> {
    @Override
    public NodePreset convert(String value) {
      try {
        return NodePreset.parse(value.toLowerCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
