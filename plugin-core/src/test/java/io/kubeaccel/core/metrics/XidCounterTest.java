package io.kubeaccel.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.core.inventory.DriverInfo;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Health;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.Topology;
import io.kubeaccel.nvml.ComputeCapability;
import io.kubeaccel.nvml.CudaVersion;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class XidCounterTest {

  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final XidCounter counter = new XidCounter(registry);

  private static Gpu gpu(int index) {
    return new Gpu(
        index,
        "GPU-" + index,
        "NVIDIA A100-SXM4-40GB",
        index,
        "0000:0" + index + ":00.0",
        0,
        40L << 30,
        new ComputeCapability(8, 0),
        Gpu.MigState.DISABLED,
        List.of());
  }

  private static Inventory twoCards() {
    return Inventory.of(
        List.of(gpu(0), gpu(1)),
        Topology.unknown(2),
        new DriverInfo("550.54.15", new CudaVersion(12, 4)),
        T0);
  }

  private Optional<Double> count(String uuid, String xid) {
    return Exposition.of(registry)
        .value("kubeaccel_gpu_xid_errors_total", "uuid", uuid, "xid", xid);
  }

  @Test
  void anXidThatMakesACardUnhealthyIsCountedOnce() {
    Inventory healthy = twoCards();
    Inventory faulted = healthy.withHealth("GPU-1", Health.unhealthy("XID 79", T0.plusSeconds(1)));
    counter.observe(healthy);
    counter.observe(faulted);
    counter.observe(faulted); // seen again from a scrape

    assertThat(count("GPU-1", "79")).contains(1.0);
    assertThat(count("GPU-0", "79")).isEmpty();
  }

  @Test
  void aCardThatRecoversAndFaultsAgainCountsAgain() {
    Inventory inventory = twoCards();
    counter.observe(inventory);
    for (int i = 0; i < 3; i++) {
      inventory = inventory.withHealth("GPU-0", Health.unhealthy("XID 48", T0.plusSeconds(i)));
      counter.observe(inventory);
      inventory = inventory.withHealth("GPU-0", Health.healthy(T0.plusSeconds(i)));
      counter.observe(inventory);
    }
    assertThat(count("GPU-0", "48")).contains(3.0);
  }

  @Test
  void otherReasonsAndOlderSnapshotsCountNothing() {
    Inventory healthy = twoCards();
    Inventory failed = healthy.withProblemOnAll("health monitoring failed: ", "GPU is lost", T0);
    counter.observe(failed);
    counter.observe(healthy); // an older generation, arriving late
    assertThat(Exposition.of(registry).all("kubeaccel_gpu_xid_errors_total")).isEmpty();
  }

  @Test
  void anXidOnACardOutForAnotherReasonCountsOnceWhateverElseChanges() {
    String held = "held by containers of another mode: ";
    Inventory inventory = twoCards().withProblem("GPU-0", held, "ml/a", T0);
    counter.observe(inventory);
    inventory = inventory.withProblem("GPU-0", "XID ", "79", T0);
    counter.observe(inventory);
    inventory = inventory.withProblem("GPU-0", held, "ml/a, ml/b", T0);
    counter.observe(inventory);
    assertThat(count("GPU-0", "79")).contains(1.0);
  }

  @Test
  void aCardAlreadyOutForAnXidWhenFirstSeenIsCounted() {
    counter.observe(twoCards().withHealth("GPU-0", Health.unhealthy("XID 94", T0)));
    assertThat(count("GPU-0", "94")).contains(1.0);
  }
}
