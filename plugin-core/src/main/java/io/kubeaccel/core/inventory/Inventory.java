package io.kubeaccel.core.inventory;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One immutable snapshot of the node's GPUs: what they are, how they connect, and whether each is healthy.
 *
 * <p>A change (a health event, a recovery, a late NVML start) produces a new snapshot with a higher {@code
 * generation}; readers never see a half-applied change.
 *
 * @param generation increases by one with every change
 * @param gpus the GPUs in NVML order; a GPU's position in this list is its position in {@link #topology()}
 * @param topology PCIe levels and NVLink counts between the GPUs
 * @param health health of every GPU by UUID
 * @param driver the driver, or {@code null} when NVML is not available (then {@code gpus} is empty)
 * @param unavailableReason why the inventory is empty (NVML failed to start), empty otherwise
 */
public record Inventory(
    long generation,
    List<Gpu> gpus,
    Topology topology,
    Map<String, Health> health,
    DriverInfo driver,
    String unavailableReason) {

  public Inventory {
    gpus = List.copyOf(gpus);
    health = Map.copyOf(health);
    if (topology.size() != gpus.size()) {
      throw new IllegalArgumentException(
          "topology describes " + topology.size() + " GPUs but the inventory has " + gpus.size());
    }
    for (Gpu gpu : gpus) {
      if (!health.containsKey(gpu.uuid())) {
        throw new IllegalArgumentException("no health recorded for " + gpu.uuid());
      }
    }
  }

  /** A node without usable GPUs, e.g. while NVML cannot be loaded. */
  public static Inventory unavailable(String reason) {
    return new Inventory(0, List.of(), Topology.unknown(0), Map.of(), null, reason);
  }

  /** A fresh inventory of healthy GPUs. */
  public static Inventory of(List<Gpu> gpus, Topology topology, DriverInfo driver, Instant now) {
    Map<String, Health> health = new HashMap<>();
    for (Gpu gpu : gpus) {
      health.put(gpu.uuid(), Health.healthy(now));
    }
    return new Inventory(0, gpus, topology, health, driver, "");
  }

  /** The GPU with {@code uuid}, if this node has it. */
  public Optional<Gpu> gpu(String uuid) {
    for (Gpu gpu : gpus) {
      if (gpu.uuid().equals(uuid)) {
        return Optional.of(gpu);
      }
    }
    return Optional.empty();
  }

  /** Health of the GPU with {@code uuid}; a GPU this node does not have is reported unhealthy. */
  public Health health(String uuid) {
    Health known = health.get(uuid);
    return known != null ? known : Health.unhealthy("not in inventory", Instant.EPOCH);
  }

  /** Position of the GPU with {@code uuid} in {@link #gpus()} and {@link #topology()}, or -1. */
  public int position(String uuid) {
    for (int i = 0; i < gpus.size(); i++) {
      if (gpus.get(i).uuid().equals(uuid)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * This snapshot with {@code uuid}'s health replaced, or this very snapshot when it is the same (or the GPU is
   * unknown). Parts of the agent record their own reasons with {@link #withProblem} and {@link #withoutProblem}
   * instead, so they never erase another part's reason.
   */
  public Inventory withHealth(String uuid, Health newHealth) {
    Health old = health.get(uuid);
    if (old == null || old.problems().equals(newHealth.problems())) {
      return this;
    }
    Map<String, Health> next = new HashMap<>(health);
    next.put(uuid, newHealth);
    return new Inventory(generation + 1, gpus, topology, next, driver, unavailableReason);
  }

  /**
   * This snapshot with {@code prefix + detail} recorded against {@code uuid}, replacing that part's earlier reason
   * (see {@link Health}); this very snapshot when nothing changes.
   */
  public Inventory withProblem(String uuid, String prefix, String detail, Instant now) {
    Health old = health.get(uuid);
    return old == null ? this : withHealth(uuid, old.with(prefix, detail, now));
  }

  /** This snapshot with {@code uuid}'s reasons starting with {@code prefix} cleared; this one when it had none. */
  public Inventory withoutProblem(String uuid, String prefix, Instant now) {
    Health old = health.get(uuid);
    return old == null || !old.has(prefix) ? this : withHealth(uuid, old.without(prefix, now));
  }

  /** {@link #withProblem} for every GPU, as one change. */
  public Inventory withProblemOnAll(String prefix, String detail, Instant now) {
    Inventory result = this;
    for (Gpu gpu : gpus) {
      result = result.withProblem(gpu.uuid(), prefix, detail, now);
    }
    return result.generation == generation ? this : result.withGeneration(generation + 1);
  }

  /** Number of GPUs currently healthy. */
  public long healthyCount() {
    return health.values().stream().filter(Health::healthy).count();
  }

  private Inventory withGeneration(long value) {
    return new Inventory(value, gpus, topology, health, driver, unavailableReason);
  }
}
