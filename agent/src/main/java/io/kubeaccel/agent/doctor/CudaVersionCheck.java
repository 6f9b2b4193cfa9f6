package io.kubeaccel.agent.doctor;

import io.kubeaccel.core.inventory.DriverInfo;
import io.kubeaccel.nvml.CudaVersion;

/** The driver's CUDA version against the MPS agent's minimum, 11.5 (per-client pinned-memory limits). */
final class CudaVersionCheck implements DoctorCheck {

  static final String NAME = "cuda-version";
  /** The oldest driver CUDA version the MPS agent accepts. */
  static final CudaVersion MPS_MINIMUM = new CudaVersion(11, 5);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CheckResult run(DoctorContext ctx) {
    if (!(ctx.nvml().state() instanceof NvmlProbe.Loaded loaded)) {
      return CheckResult.skip(NAME, "NVML did not load (see the nvml check)");
    }
    DriverInfo driver = loaded.inventory().driver();
    String found = "driver " + driver.version() + " supports CUDA " + driver.cudaVersion();
    if (driver.cudaVersion().compareTo(MPS_MINIMUM) >= 0) {
      return CheckResult.pass(NAME, found + " (MPS needs " + MPS_MINIMUM + " or newer)");
    }
    String upgrade = "upgrade the NVIDIA driver to R495 (495.29.05) or newer, which supports CUDA "
        + MPS_MINIMUM + ", and reboot";
    if (ctx.modeIs(DoctorMode.MPS)) {
      return CheckResult.fail(
          NAME,
          found + "; the MPS agent refuses drivers below CUDA " + MPS_MINIMUM
              + " (CUDA_MPS_PINNED_DEVICE_MEM_LIMIT needs it)",
          upgrade + "; or run another mode on this node: `" + ctx.labelCommand("pgpu") + "`");
    }
    return CheckResult.warn(
        NAME,
        found + ": enough for pgpu and vgpu, but the MPS agent would refuse this node (needs "
            + MPS_MINIMUM + ")",
        "keep this node out of MPS mode, or " + upgrade + " before labelling it " + DoctorMode.LABEL
            + "=mps");
  }
}
