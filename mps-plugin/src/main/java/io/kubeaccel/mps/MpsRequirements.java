package io.kubeaccel.mps;

import io.kubeaccel.core.inventory.DriverInfo;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.sharing.CardEligibility;
import io.kubeaccel.nvml.ComputeCapability;
import io.kubeaccel.nvml.CudaVersion;
import java.util.Optional;

/**
 * What a card needs to serve MPS with per-container limits: Volta or newer (compute capability 7.0; older cards have
 * no MPS resource provisioning), a driver supporting CUDA 11.5 or newer (per-client pinned memory limits), and MIG
 * off (a MIG card's compute belongs to its instances).
 */
final class MpsRequirements implements CardEligibility {

  static final CudaVersion MIN_CUDA = new CudaVersion(11, 5);

  @Override
  public boolean eligible(Gpu gpu, DriverInfo driver) {
    return refusal(gpu, driver).isEmpty();
  }

  /** Why {@code gpu} cannot serve MPS, for the log and the Node's Events; empty when it can. */
  Optional<String> refusal(Gpu gpu, DriverInfo driver) {
    String card = "GPU " + gpu.index() + " (" + gpu.model() + ")";
    if (gpu.mig() == Gpu.MigState.ENABLED) {
      return Optional.of(card + " is in MIG mode; MPS needs MIG disabled (nvidia-smi -i "
          + gpu.index() + " -mig 0), or serve its MIG devices with the pgpu mode");
    }
    if (gpu.computeCapability().compareTo(ComputeCapability.VOLTA) < 0) {
      return Optional.of(card + " is compute capability " + gpu.computeCapability()
          + "; MPS needs 7.0 (Volta) or newer");
    }
    if (driver != null && driver.cudaVersion().compareTo(MIN_CUDA) < 0) {
      return Optional.of(card + ": driver " + driver.version() + " supports CUDA "
          + driver.cudaVersion() + "; MPS needs a driver with CUDA " + MIN_CUDA + " or newer");
    }
    return Optional.empty();
  }
}
