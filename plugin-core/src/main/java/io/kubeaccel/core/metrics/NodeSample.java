package io.kubeaccel.core.metrics;

import io.kubeaccel.core.metrics.CardHolders.CardHolding;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One NVML sample of the node, what every scrape until the next sample shows. Immutable.
 *
 * @param takenAt when the sample started
 * @param took how long it took
 * @param nvmlUp whether NVML answered
 * @param cards by card UUID, the values NVML gave for each per-card family ({@link MetricFamily#GPU_UTILIZATION},
 *     ...); a family NVML could not read for a card (unsupported, failed) is absent
 * @param containers per container and card
 * @param holdings which containers hold which cards; empty when unknown
 */
record NodeSample(
    Instant takenAt,
    Duration took,
    boolean nvmlUp,
    Map<String, Map<MetricFamily, Double>> cards,
    List<ContainerUsage> containers,
    Optional<List<CardHolding>> holdings) {

  NodeSample {
    cards = Map.copyOf(cards);
    containers = List.copyOf(containers);
    holdings = holdings.map(List::copyOf);
  }

  /**
   * What one container's processes use of one card.
   *
   * @param name the container's names; all empty when only its pod UID is known
   * @param podUid its pod's UID, from the cgroup
   * @param cardUuid the physical card (also for processes on its MIG devices)
   * @param utilizationPercent summed SM utilisation of its processes, at most 100; empty where NVML does not sample
   *     per process (MIG mode)
   * @param memoryBytes device memory its processes use
   */
  record ContainerUsage(
      ContainerName name,
      String podUid,
      String cardUuid,
      Optional<Double> utilizationPercent,
      long memoryBytes) {}
}
