package io.kubeaccel.agent.doctor;

import io.kubeaccel.core.inventory.DeviceNodes;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.MigDevice;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * MIG mode of every GPU: the vGPU and MPS agents refuse cards in MIG mode; the pGPU agent serves them only with a MIG
 * strategy other than its default {@code none}.
 */
final class MigModeCheck implements DoctorCheck {

  static final String NAME = "mig";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CheckResult run(DoctorContext ctx) {
    if (!(ctx.nvml().state() instanceof NvmlProbe.Loaded loaded)) {
      return CheckResult.skip(NAME, "NVML did not load (see the nvml check)");
    }
    List<Gpu> gpus = loaded.inventory().gpus();
    if (gpus.isEmpty()) {
      return CheckResult.skip(NAME, "no GPUs (see the nvml check)");
    }
    List<Gpu> mig =
        gpus.stream().filter(gpu -> gpu.mig() == Gpu.MigState.ENABLED).toList();
    if (mig.isEmpty()) {
      long capable =
          gpus.stream().filter(gpu -> gpu.mig() == Gpu.MigState.DISABLED).count();
      return CheckResult.pass(
          NAME,
          "no GPU in MIG mode" + (capable == 0 ? "" : " (" + capable + " MIG-capable, MIG off)"));
    }
    String cards = mig.stream().map(MigModeCheck::describe).collect(Collectors.joining("; "));
    if (ctx.modeIs(DoctorMode.VGPU) || ctx.modeIs(DoctorMode.MPS)) {
      String mode = ctx.mode().orElseThrow().label();
      return CheckResult.fail(
          NAME,
          "the " + mode + " agent refuses GPUs in MIG mode: " + cards,
          String.join("\n", migOffCommands(mig))
              + "\n(stop the GPU's workloads first; reboot if the reset is refused)"
              + "\nor keep MIG and run pgpu with --mig-strategy mixed: `" + ctx.labelCommand("pgpu")
              + "`");
    }
    List<String> notes = new ArrayList<>();
    List<String> fixes = new ArrayList<>();
    if (ctx.modeIs(DoctorMode.PGPU)) {
      notes.add(cards + ": the pgpu agent's default --mig-strategy none does not offer them");
      fixes.add(strategyFix(gpus));
    } else {
      notes.add(
          cards + ": the vgpu and mps agents refuse them; pgpu serves them with a MIG strategy");
      fixes.add("for pgpu: " + strategyFix(gpus));
      fixes.add("for vgpu or mps, disable MIG: " + String.join("; ", migOffCommands(mig)));
    }
    for (Gpu gpu : mig) {
      if (gpu.migDevices().isEmpty()) {
        notes.add(NvmlProbe.card(gpu) + " has MIG on but no MIG devices, so it offers nothing");
        fixes.add("create MIG devices on GPU " + gpu.index() + ", e.g. `sudo nvidia-smi mig -i "
            + gpu.index() + " -cgi 1g.5gb,1g.5gb -C`");
      }
    }
    // pGPU hands MIG devices' capability nodes to containers; their minors come from procfs.
    Path procRoot = ctx.paths().procRoot();
    if (DeviceNodes.scan(ctx.paths().devRoot(), procRoot).migCapMinors().isEmpty()) {
      notes.add(procRoot.resolve("driver/nvidia-caps/mig-minors") + " is missing or empty: with"
          + " --pass-device-specs containers get no MIG capability nodes");
      fixes.add(
          "pass --proc-root where the host's /proc is mounted (to doctor and the pgpu agent)");
    }
    return CheckResult.warn(NAME, String.join("\n", notes), String.join("\n", fixes));
  }

  /** {@code GPU 0 (NVIDIA A100-SXM4-40GB) in MIG mode with 3g.20gb, 2x 1g.5gb}. */
  private static String describe(Gpu gpu) {
    Map<String, Integer> profiles = new LinkedHashMap<>();
    for (MigDevice device : gpu.migDevices()) {
      profiles.merge(device.profile(), 1, Integer::sum);
    }
    String devices = profiles.isEmpty()
        ? "no MIG devices"
        : profiles.entrySet().stream()
            .map(e -> (e.getValue() == 1 ? "" : e.getValue() + "x ") + e.getKey())
            .collect(Collectors.joining(", "));
    return NvmlProbe.card(gpu) + " in MIG mode with " + devices;
  }

  /** The strategy that serves these cards: {@code single} only fits when every card has one and the same profile. */
  private static String strategyFix(List<Gpu> gpus) {
    List<String> profiles = gpus.stream()
        .flatMap(gpu -> gpu.migDevices().stream().map(MigDevice::profile))
        .distinct()
        .toList();
    boolean allMig = gpus.stream().allMatch(gpu -> gpu.mig() == Gpu.MigState.ENABLED);
    String resources = profiles.stream()
        .map(profile -> "nvidia.com/mig-" + profile)
        .collect(Collectors.joining(", "));
    if (allMig && profiles.size() == 1) {
      return "run the pgpu agent with --mig-strategy single (each MIG device is one nvidia.com/gpu) or mixed ("
          + resources + ")";
    }
    return "run the pgpu agent with --mig-strategy mixed (" + resources
        + "); single needs every GPU in" + " MIG mode with one profile";
  }

  /** One command per card: MIG off, then a reset so the change takes effect. */
  private static List<String> migOffCommands(List<Gpu> mig) {
    return mig.stream()
        .map(gpu -> "`sudo nvidia-smi -i " + gpu.index() + " -mig 0 && sudo nvidia-smi -i "
            + gpu.index() + " -r`")
        .toList();
  }
}
