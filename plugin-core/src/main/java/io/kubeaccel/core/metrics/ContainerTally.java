package io.kubeaccel.core.metrics;

import io.kubeaccel.core.metrics.NodeSample.ContainerUsage;
import io.kubeaccel.nvml.ProcessInfo;
import io.kubeaccel.nvml.ProcessUtilizationSample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds up, per container and card, what NVML says each process uses: memory from the running-process list, SM
 * utilisation from the per-process samples (averaged per process over the samples since the last read, then summed per
 * container and capped at 100).
 */
final class ContainerTally {

  private static final Logger log = LoggerFactory.getLogger(ContainerTally.class);
  private static final ContainerName UNNAMED = new ContainerName("", "", "");
  private static final Comparator<ContainerUsage> ORDER = Comparator.comparing(
          (ContainerUsage usage) -> usage.name().namespace())
      .thenComparing(usage -> usage.name().pod())
      .thenComparing(usage -> usage.name().container())
      .thenComparing(ContainerUsage::podUid)
      .thenComparing(ContainerUsage::cardUuid);

  private final ProcessCgroups cgroups;
  private final ContainerResolver resolver;
  private final Map<Key, Usage> usage = new HashMap<>();
  private final Set<Integer> pids = new LinkedHashSet<>();

  ContainerTally(ProcessCgroups cgroups, ContainerResolver resolver) {
    this.cgroups = cgroups;
    this.resolver = resolver;
  }

  /**
   * Adds one card's processes and samples.
   *
   * @param samples the per-process samples, or empty when the card is not sampled per process (MIG mode)
   */
  void add(
      String cardUuid,
      List<ProcessInfo> processes,
      Optional<List<ProcessUtilizationSample>> samples) {
    Map<Integer, Double> utilization =
        samples.map(ContainerTally::averagePerPid).orElse(Map.of());
    Set<Integer> cardPids = new LinkedHashSet<>();
    for (ProcessInfo process : processes) {
      cardPids.add(process.pid());
      usageOf(process.pid(), cardUuid, samples.isPresent())
          .ifPresent(u -> u.memoryBytes += Math.max(0, process.usedGpuMemory()));
    }
    // A process sampled but no longer listed still used the card during the period.
    cardPids.addAll(utilization.keySet());
    for (int pid : cardPids) {
      Double percent = utilization.get(pid);
      if (percent != null) {
        usageOf(pid, cardUuid, true).ifPresent(u -> u.utilization += percent);
      }
    }
    pids.addAll(cardPids);
  }

  /** Every container seen, in label order; forgets the cgroups of processes no longer on any card. */
  List<ContainerUsage> finish() {
    cgroups.retainOnly(pids);
    List<ContainerUsage> result = new ArrayList<>();
    usage.forEach((key, value) -> result.add(new ContainerUsage(
        key.name,
        key.podUid,
        key.cardUuid,
        value.sampled ? Optional.of(Math.min(100.0, value.utilization)) : Optional.empty(),
        value.memoryBytes)));
    result.sort(ORDER);
    return result;
  }

  private Optional<Usage> usageOf(int pid, String cardUuid, boolean sampled) {
    return cgroups.containerOf(pid).map(container -> {
      Key key = new Key(name(container), container.podUid(), cardUuid);
      Usage found = usage.computeIfAbsent(key, k -> new Usage());
      found.sampled |= sampled;
      return found;
    });
  }

  private ContainerName name(CgroupContainer container) {
    try {
      return resolver.resolve(container).orElse(UNNAMED);
    } catch (RuntimeException e) {
      log.debug("container resolver failed container={}", container, e);
      return UNNAMED;
    }
  }

  private static Map<Integer, Double> averagePerPid(List<ProcessUtilizationSample> samples) {
    Map<Integer, double[]> sums = new HashMap<>();
    for (ProcessUtilizationSample sample : samples) {
      double[] sum = sums.computeIfAbsent(sample.pid(), pid -> new double[2]);
      sum[0] += sample.smUtil();
      sum[1]++;
    }
    Map<Integer, Double> average = new HashMap<>();
    sums.forEach((pid, sum) -> average.put(pid, sum[0] / sum[1]));
    return average;
  }

  private record Key(ContainerName name, String podUid, String cardUuid) {}

  private static final class Usage {
    long memoryBytes;
    double utilization;
    boolean sampled;
  }
}
