package io.kubeaccel.agent;

import io.kubeaccel.nvml.fake.FakeGpu;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Writes a simulated node into a directory and stops, so that an unchanged node agent can run on it in another
 * process or container: the Helm chart's simulate form runs this as an initContainer on an emptyDir mounted at {@code
 * /simulated}, then the agent with the flags it prints.
 */
@Command(
    name = "simulate-node",
    mixinStandardHelpOptions = true,
    description = {
      "Write a simulated node (fake NVML library and inventory, fake sysfs, /dev and procfs entries, a fake MPS"
          + " control program) into DIR and print the flags that make pgpu, vgpu or mps run on it. No GPU needed.",
      "DIR must be absent, empty, or hold a simulated node, which is replaced; any other non-empty directory is"
          + " refused and left as it is."
    })
final class SimulateNodeCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(
      names = "--preset",
      paramLabel = "NODE",
      defaultValue = "four-gpu",
      converter = SimulateCommand.PresetConverter.class,
      description =
          "Simulated node: four-gpu, dgx1, hgx-h100, pcie8, a100-mig-mixed or a100-mig-single."
              + " Default: ${DEFAULT-VALUE}.")
  NodePreset preset;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      required = true,
      description = "Where to write the node, e.g. /simulated (an emptyDir).")
  Path dir;

  @Override
  public Integer call() throws Exception {
    boolean replacing = Files.isRegularFile(dir.resolve(SimulatedNode.MARKER));
    SimulatedNode node;
    try {
      node = SimulatedNode.createAt(dir, preset);
    } catch (IOException | UncheckedIOException e) {
      spec.commandLine()
          .getErr()
          .printf("kubeaccel: cannot write the simulated node into %s: %s%n", dir, e.getMessage());
      return 1;
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "kubeaccel simulate-node: preset %s (%s) %s %s%n",
        preset,
        preset.description(),
        replacing ? "replaced the simulated node in" : "written to",
        node.root());
    for (FakeGpu gpu : node.nvml().inventory().gpus()) {
      out.printf(
          "  /dev/nvidia%-2d %-40s %-26s %6d MiB  numa %d%s%n",
          gpu.minor(),
          gpu.uuid(),
          gpu.name(),
          gpu.memoryMiB(),
          gpu.numaNode(),
          gpu.migDevices().isEmpty() ? "" : "  MIG devices: " + gpu.migDevices().size());
    }
    out.printf("agent flags (pgpu, vgpu, mps): %s%n", String.join(" ", node.agentArguments()));
    out.printf("mps also: %s%n", node.mpsControlArgument());
    out.printf(
        "The kubelet's device-plugin directory is not part of the node: the agent uses the real one"
            + " (--device-plugin-dir, default /var/lib/kubelet/device-plugins).%n");
    return 0;
  }
}
