package io.kubeaccel.agent.doctor;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.nvml.ComputeCapability;
import java.util.List;
import java.util.stream.Collectors;

/** Every GPU's compute capability against MPS's minimum, 7.0 (Volta): older cards have no MPS resource limits. */
final class ComputeCapabilityCheck implements DoctorCheck {

  static final String NAME = "compute-capability";

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
    List<Gpu> old = gpus.stream()
        .filter(gpu -> gpu.computeCapability().compareTo(ComputeCapability.VOLTA) < 0)
        .toList();
    if (old.isEmpty()) {
      String capabilities = gpus.stream()
          .map(gpu -> gpu.computeCapability().toString())
          .distinct()
          .collect(Collectors.joining(", "));
      return CheckResult.pass(
          NAME,
          (gpus.size() == 1 ? "the GPU is" : "all " + gpus.size() + " GPUs are")
              + " Volta or newer (compute capability " + capabilities
              + "); MPS works on them");
    }
    String cards = old.stream()
        .map(gpu -> NvmlProbe.card(gpu) + " is " + gpu.computeCapability())
        .collect(Collectors.joining(", "));
    if (ctx.modeIs(DoctorMode.MPS)) {
      return CheckResult.fail(
          NAME,
          "MPS needs compute capability " + ComputeCapability.VOLTA + " (Volta) or newer: " + cards,
          "run pgpu or vgpu on this node (`" + ctx.labelCommand("pgpu")
              + "`), or move MPS workloads to a node with Volta or newer GPUs");
    }
    return CheckResult.warn(
        NAME,
        "older than Volta (" + ComputeCapability.VOLTA + "): " + cards
            + "; fine for pgpu and vgpu, the MPS agent would refuse "
            + (old.size() == 1 ? "it" : "them"),
        "keep this node out of MPS mode (do not label it " + DoctorMode.LABEL + "=mps)");
  }
}
