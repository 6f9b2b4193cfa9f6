package io.kubeaccel.agent;

import io.kubeaccel.core.AgentRuntime;
import io.kubeaccel.core.inventory.DeviceNodes;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.server.AllocationObserver;
import io.kubeaccel.core.sharing.PlacementPolicy;
import io.kubeaccel.core.spi.ModePlugin;
import io.kubeaccel.pgpu.PgpuMode;
import io.kubeaccel.pgpu.config.PgpuConfig;
import io.kubeaccel.pgpu.config.PgpuConfigResolver;
import io.kubeaccel.pgpu.config.WireEnum;
import io.kubeaccel.proto.deviceplugin.v1beta1.Device;
import io.kubeaccel.testkit.KubeletStandIn;
import io.kubeaccel.testkit.RegisteredPlugin;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
      description =
          "Simulated node: four-gpu, dgx1, hgx-h100, pcie8, a100-mig-mixed or a100-mig-single."
              + " Default: ${DEFAULT-VALUE}.")
  NodePreset preset;

  @Option(names = "--verbose", description = "Show the agent's own log (info level) on stderr.")
  boolean verbose;

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      defaultValue = "pgpu",
      description =
          "pgpu (whole cards), vgpu (slices) or mps (MPS shares). Default: ${DEFAULT-VALUE}.")
  String mode;

  @Mixin
  PgpuOptions pgpu;

  @Override
  public Integer call() throws Exception {
    Logging.configure(Logging.Format.TEXT, verbose ? "info" : "warn");
    PrintWriter out = spec.commandLine().getOut();
    if (mode.equals("vgpu")) {
      out.printf("kubeaccel simulate --mode vgpu: preset %s (%s)%n", preset, preset.description());
      try (SimulatedNode node = SimulatedNode.create(preset);
          VgpuSimulation simulation = new VgpuSimulation(out, node, PlacementPolicy.BINPACK)) {
        simulation.run();
      }
      out.printf("%nsimulation finished: all steps behaved as expected%n");
      return 0;
    }
    if (mode.equals("mps")) {
      out.printf("kubeaccel simulate --mode mps: preset %s (%s)%n", preset, preset.description());
      try (SimulatedNode node = SimulatedNode.create(preset);
          MpsSimulation simulation = new MpsSimulation(out, node)) {
        simulation.run();
      }
      out.printf("%nsimulation finished: all steps behaved as expected%n");
      return 0;
    }
    if (!mode.equals("pgpu")) {
      throw new IllegalArgumentException("--mode " + mode + " is not one of: pgpu, vgpu, mps");
    }
    out.printf("kubeaccel simulate: preset %s (%s)%n", preset, preset.description());
    PgpuConfigResolver.Resolved resolved =
        PgpuConfigResolver.resolve(pgpu.flags(), System.getenv());
    PgpuConfig config = resolved.config();
    resolved.warnings().forEach(warning -> out.printf("config warning: %s%n", warning));
    out.printf("config: %s%n", describe(config));
    try (SimulatedNode node = SimulatedNode.create(preset);
        KubeletStandIn kubelet = KubeletStandIn.start(node.deviceDir())) {
      DeviceNodes deviceNodes =
          DeviceNodes.scan(node.hostRoot(), node.hostRoot().resolve("proc"));
      long start = System.nanoTime();
      try (AgentRuntime agent = AgentRuntime.start(
          node.agentSettings(),
          inventory -> PgpuMode.plugins(config, deviceNodes, inventory),
          AllocationObserver.NONE,
          Clock.systemUTC())) {
        Inventory inventory = agent.inventory().current();
        List<String> resources = PgpuMode.plugins(config, deviceNodes, inventory).stream()
            .map(ModePlugin::resourceName)
            .toList();
        RegisteredPlugin largest = null;
        for (String resource : resources) {
          RegisteredPlugin registered = kubelet.awaitRegistration(resource, WAIT);
          if (largest == null || registered.devices().size() > largest.devices().size()) {
            largest = registered;
          }
          out.printf(
              "%nagent registered %s with the kubelet %.1f ms after start%n",
              resource, ms(start, registered.registeredNanos()));
        }
        printNode(out, inventory);
        for (String resource : resources) {
          printAdvertised(
              out, resource, kubelet.awaitRegistration(resource, WAIT).devices());
        }
        if (largest.devices().isEmpty()) {
          out.printf(
              "%nNo devices to allocate with these settings: cards in MIG mode are offered only with"
                  + " --mig-strategy single or mixed.%n");
          return 0;
        }
        SimulationStory story = new SimulationStory(out, node, kubelet, largest, inventory);
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

  private static void printAdvertised(PrintWriter out, String resource, List<Device> devices) {
    out.printf("%nAdvertised to the kubelet (ListAndWatch, %s):%n", resource);
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

  private static String describe(PgpuConfig config) {
    return "mig-strategy="
        + config.migStrategy().wireName()
        + " device-list-strategy="
        + config.deviceListStrategies().stream().map(WireEnum::wireName).toList()
        + " device-id-strategy="
        + config.deviceIdStrategy().wireName()
        + " pass-device-specs="
        + config.passDeviceSpecs()
        + (config.timeSlicing().enabled()
            ? " time-slicing=" + config.timeSlicing().resources()
            : "");
  }

  static double ms(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1_000_000.0;
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
