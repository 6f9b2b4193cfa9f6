package io.kubeaccel.mps.daemon;

import io.kubeaccel.nvml.ComputeMode;
import io.kubeaccel.nvml.Nvml;
import io.kubeaccel.nvml.NvmlException;
import io.kubeaccel.nvml.NvmlLibraryPath;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets the compute mode of the MPS cards through NVML ({@code nvmlDeviceSetComputeMode}), on an NVML handle of its
 * own (NVML counts initialisations, so the agent's own handle is unaffected). A card that refuses (no permission, a
 * lost GPU) is logged and left as it is: MPS still works in the DEFAULT mode, only without keeping non-MPS processes
 * off the card.
 */
final class ComputeModeSwitch implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ComputeModeSwitch.class);

  private final NvmlLibraryPath path;
  private Nvml nvml;

  ComputeModeSwitch(NvmlLibraryPath path) {
    this.path = path;
  }

  /** Sets {@code mode} on every card of {@code uuids} whose mode differs; returns how many are in {@code mode} now. */
  synchronized int set(List<String> uuids, ComputeMode mode) {
    int done = 0;
    try {
      if (nvml == null) {
        nvml = Nvml.open(path);
      }
    } catch (NvmlException e) {
      log.error(
          "cannot open NVML to set compute modes mode={} reason=\"{}\"", mode, e.getMessage());
      return 0;
    }
    for (String uuid : uuids) {
      try {
        var device = nvml.deviceByUuid(uuid);
        ComputeMode before = device.computeMode();
        if (before != mode) {
          device.setComputeMode(mode);
          log.info("compute mode set gpu={} from={} to={}", uuid, before, mode);
        }
        done++;
      } catch (NvmlException e) {
        log.warn("compute mode not set gpu={} mode={} reason=\"{}\"", uuid, mode, e.getMessage());
      }
    }
    return done;
  }

  @Override
  public synchronized void close() {
    if (nvml != null) {
      try {
        nvml.close();
      } catch (NvmlException e) {
        log.debug("nvmlShutdown failed reason=\"{}\"", e.getMessage());
      }
      nvml = null;
    }
  }
}
