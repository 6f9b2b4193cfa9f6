package io.kubeaccel.agent.doctor;

import io.kubeaccel.core.inventory.Gpu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The device nodes every CUDA container needs: {@code /dev/nvidiactl}, {@code /dev/nvidia-uvm} and {@code
 * /dev/nvidia<minor>} for each card NVML reports, under {@code --dev-root}.
 */
final class DeviceNodesCheck implements DoctorCheck {

  static final String NAME = "device-nodes";
  /** Nodes a CUDA container cannot run without. */
  static final List<String> REQUIRED_CONTROL_NODES = List.of("nvidiactl", "nvidia-uvm");
  /** Nodes passed when present, reported as absent for information. */
  static final List<String> OPTIONAL_CONTROL_NODES = List.of("nvidia-uvm-tools", "nvidia-modeset");

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CheckResult run(DoctorContext ctx) {
    HostPaths paths = ctx.paths();
    List<String> wanted = new ArrayList<>(REQUIRED_CONTROL_NODES);
    NvmlProbe.State state = ctx.nvml().state();
    if (state instanceof NvmlProbe.Loaded loaded) {
      for (Gpu gpu : loaded.inventory().gpus()) {
        wanted.add("nvidia" + gpu.minor());
      }
    }
    List<Path> missing = new ArrayList<>();
    List<Path> present = new ArrayList<>();
    for (String name : wanted) {
      Path node = paths.devNode(name);
      (Files.exists(node) ? present : missing).add(node);
    }
    List<String> absentOptional = OPTIONAL_CONTROL_NODES.stream()
        .filter(name -> !Files.exists(paths.devNode(name)))
        .toList();
    String optional = absentOptional.isEmpty()
        ? ""
        : " (optional, absent: " + String.join(", ", absentOptional) + ")";
    if (!missing.isEmpty()) {
      return CheckResult.fail(
          NAME,
          "missing: " + join(missing) + optional,
          "create them by loading the driver's modules: `sudo nvidia-modprobe -u -c=0` (or `sudo modprobe"
              + " nvidia-uvm` and run `nvidia-smi` once); if doctor runs in a container, mount the host's /dev"
              + " and pass --dev-root <where the host root is mounted>");
    }
    if (!(state instanceof NvmlProbe.Loaded)) {
      return CheckResult.warn(
          NAME,
          "present: " + join(present) + optional
              + "; the per-card /dev/nvidiaN nodes were not checked" + " because NVML did not load",
          "fix the nvml check first, then run doctor again");
    }
    return CheckResult.pass(NAME, "present: " + join(present) + optional);
  }

  private static String join(List<Path> nodes) {
    return String.join(", ", nodes.stream().map(Path::toString).toList());
  }
}
