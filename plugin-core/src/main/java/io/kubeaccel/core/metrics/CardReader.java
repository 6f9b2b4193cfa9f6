package io.kubeaccel.core.metrics;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.nvml.MemoryInfo;
import io.kubeaccel.nvml.Nvml;
import io.kubeaccel.nvml.NvmlDevice;
import io.kubeaccel.nvml.NvmlException;
import io.kubeaccel.nvml.NvmlReturn;
import io.kubeaccel.nvml.ProcessInfo;
import io.kubeaccel.nvml.ProcessUtilizationSample;
import io.kubeaccel.nvml.Utilization;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NVML queries of one sample, on one open NVML handle: per card utilisation, memory, temperature, power and
 * processes, and the per-process utilisation samples since the last read. Device handles are kept between samples. A
 * query a card refuses loses only its value (logged once per card, query and code); a driver that went away ends the
 * sample with {@link DriverGone}. Used by the sampling thread alone.
 */
final class CardReader implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CardReader.class);
  private static final Set<NvmlReturn> DRIVER_GONE = Set.of(
      NvmlReturn.UNINITIALIZED,
      NvmlReturn.DRIVER_NOT_LOADED,
      NvmlReturn.LIBRARY_NOT_FOUND,
      NvmlReturn.LIB_RM_VERSION_MISMATCH);

  private final Nvml nvml;
  private final Map<String, NvmlDevice> devices = new HashMap<>();
  private final Map<String, Long> lastSeenSample = new HashMap<>();
  private final Set<String> warned = new HashSet<>();

  CardReader(Nvml nvml) {
    this.nvml = nvml;
  }

  /**
   * What NVML says of {@code gpu} now, by family; its processes go to {@code tally}.
   *
   * @throws DriverGone when NVML as a whole stopped answering
   */
  Map<MetricFamily, Double> read(Gpu gpu, ContainerTally tally) {
    Map<MetricFamily, Double> values = new EnumMap<>(MetricFamily.class);
    Optional<NvmlDevice> found = read(
        gpu, "handle", () -> devices.computeIfAbsent(gpu.uuid(), uuid -> nvml.deviceByUuid(uuid)));
    if (found.isEmpty()) {
      return values;
    }
    NvmlDevice device = found.get();
    boolean perProcess =
        gpu.mig() != Gpu.MigState.ENABLED; // NVML samples no utilisation in MIG mode
    if (perProcess) {
      read(gpu, "utilization", device::utilizationRates).ifPresent((Utilization u) -> {
        values.put(MetricFamily.GPU_UTILIZATION, (double) u.gpu());
        values.put(MetricFamily.GPU_MEMORY_COPY_UTILIZATION, (double) u.memory());
      });
    }
    read(gpu, "memory", device::memoryInfo)
        .ifPresent((MemoryInfo m) -> values.put(MetricFamily.GPU_MEMORY_USED, (double) m.used()));
    read(gpu, "temperature", device::temperatureCelsius)
        .ifPresent(t -> values.put(MetricFamily.GPU_TEMPERATURE, (double) t));
    read(gpu, "power", device::powerUsageMilliwatts)
        .ifPresent(mw -> values.put(MetricFamily.GPU_POWER, mw / 1000.0));
    Optional<List<ProcessInfo>> processes = read(gpu, "processes", device::computeRunningProcesses);
    processes.ifPresent(p -> values.put(MetricFamily.GPU_PROCESSES, (double) p.size()));
    Optional<List<ProcessUtilizationSample>> samples = perProcess
        ? read(gpu, "process utilization", () -> newSamples(gpu.uuid(), device))
        : Optional.empty();
    tally.add(gpu.uuid(), processes.orElse(List.of()), samples);
    return values;
  }

  /** The samples since the newest one already read, so each period is counted once. */
  private List<ProcessUtilizationSample> newSamples(String uuid, NvmlDevice device) {
    List<ProcessUtilizationSample> samples =
        device.processUtilization(lastSeenSample.getOrDefault(uuid, 0L));
    samples.stream()
        .mapToLong(ProcessUtilizationSample::timeStamp)
        .max()
        .ifPresent(newest -> lastSeenSample.put(uuid, newest));
    return samples;
  }

  /**
   * One NVML query about {@code gpu}; a failure is logged once per card, query and code, and yields empty, except
   * when the driver itself went away.
   */
  private <T> Optional<T> read(Gpu gpu, String what, Supplier<T> query) {
    try {
      return Optional.of(query.get());
    } catch (NvmlException e) {
      if (DRIVER_GONE.contains(e.code())) {
        throw new DriverGone(e);
      }
      if (warned.add(gpu.uuid() + " " + what + " " + e.code())) {
        if (e.code() == NvmlReturn.NOT_SUPPORTED) {
          log.info("card does not report {}, metric absent gpu={}", what, gpu.uuid());
        } else {
          log.warn(
              "cannot read {} of card, metric absent gpu={} reason=\"{}\"",
              what,
              gpu.uuid(),
              e.getMessage());
        }
      }
      if (e.code() == NvmlReturn.GPU_IS_LOST) {
        devices.remove(gpu.uuid()); // look the handle up again once the card is back
      }
      return Optional.empty();
    }
  }

  /** Shuts this handle's NVML down. */
  @Override
  public void close() {
    try {
      nvml.close();
    } catch (NvmlException e) {
      log.debug("nvmlShutdown failed reason=\"{}\"", e.getMessage());
    }
  }

  /** The driver stopped answering altogether: the handle is closed and opened again at the next sample. */
  static final class DriverGone extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DriverGone(NvmlException cause) {
      super(cause.getMessage(), cause);
    }
  }
}
