package io.kubeaccel.agent.doctor;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.nvml.NvmlReturn;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** NVML loads and initialises (the driver is loaded), and what it reports: driver, CUDA version, GPUs. */
final class NvmlCheck implements DoctorCheck {

  static final String NAME = "nvml";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CheckResult run(DoctorContext ctx) {
    NvmlProbe.State state = ctx.nvml().state();
    if (state instanceof NvmlProbe.Loaded loaded) {
      return loaded(loaded.inventory());
    }
    NvmlProbe.Failed failed = (NvmlProbe.Failed) state;
    return CheckResult.fail(NAME, describe(failed), fix(failed.code()));
  }

  private static CheckResult loaded(Inventory inventory) {
    String driver = "driver " + inventory.driver().version() + " (CUDA "
        + inventory.driver().cudaVersion() + ")";
    if (inventory.gpus().isEmpty()) {
      return CheckResult.warn(
          NAME,
          "libnvidia-ml.so.1 loaded, " + driver + ", but NVML reports no GPUs",
          "check that `nvidia-smi -L` lists the cards and `lspci | grep -i nvidia` shows them; in a container,"
              + " run doctor with the NVIDIA runtime and NVIDIA_VISIBLE_DEVICES=all (or privileged)");
    }
    Map<String, Integer> models = new LinkedHashMap<>();
    for (Gpu gpu : inventory.gpus()) {
      models.merge(gpu.model(), 1, Integer::sum);
    }
    String cards = models.entrySet().stream()
        .map(e -> e.getValue() + "x " + e.getKey())
        .collect(Collectors.joining(", "));
    return CheckResult.pass(
        NAME,
        "libnvidia-ml.so.1 loaded, " + driver + ", " + inventory.gpus().size() + " GPU"
            + (inventory.gpus().size() == 1 ? "" : "s") + ": " + cards);
  }

  private static String describe(NvmlProbe.Failed failed) {
    if (failed.initialised()) {
      return "NVML initialised but reading the GPUs failed: " + failed.message();
    }
    return switch (failed.code()) {
      case LIBRARY_NOT_FOUND -> "NVML could not be loaded: " + failed.message();
      case UNKNOWN -> "NVML failed to start: " + failed.message();
      default -> "nvmlInit failed, the NVIDIA driver is not usable: " + failed.message();
    };
  }

  /** What to do about each way NVML fails at start. */
  static String fix(NvmlReturn code) {
    return switch (code) {
      case LIBRARY_NOT_FOUND ->
        "install the NVIDIA driver (its user-space part provides libnvidia-ml.so.1); if it is installed"
            + " elsewhere, pass --driver-root (e.g. /run/nvidia/driver for the GPU operator's driver container)"
            + " or --nvml-library-dir <dir holding libnvidia-ml.so.1>; in a container, run with the NVIDIA"
            + " runtime or mount the driver root";
      case DRIVER_NOT_LOADED ->
        "load the kernel module: `sudo modprobe nvidia` (then `nvidia-smi` must list the cards); if modprobe"
            + " fails, `dmesg | grep -i nvrm` says why: reinstall the driver for the running kernel"
            + " (`uname -r`) or sign it for Secure Boot";
      case LIB_RM_VERSION_MISMATCH ->
        "the driver library and the loaded kernel module differ (driver upgraded without reboot): reboot the"
            + " node, or stop every GPU user and reload the modules (`sudo rmmod nvidia_uvm nvidia_drm"
            + " nvidia_modeset nvidia && sudo modprobe nvidia`)";
      case NO_PERMISSION ->
        "run doctor as root, or with read-write access to /dev/nvidiactl and /dev/nvidia*";
      case GPU_IS_LOST, GPU_NOT_FOUND, RESET_REQUIRED ->
        "a GPU fell off the bus: `dmesg | grep -i xid` shows which; reset it (`sudo nvidia-smi -r -i <index>`)"
            + " or reboot the node, and check power and seating if it repeats";
      case INSUFFICIENT_POWER ->
        "a GPU's power cables are not connected properly: check its auxiliary power connectors";
      case IRQ_ISSUE, OPERATING_SYSTEM ->
        "the kernel refused the driver: `dmesg | grep -i nvrm` says why; reboot the node";
      default ->
        "run `nvidia-smi`: it fails the same way with more detail; `dmesg | grep -i nvrm` shows the"
            + " driver's side; reinstall the driver or reboot";
    };
  }
}
