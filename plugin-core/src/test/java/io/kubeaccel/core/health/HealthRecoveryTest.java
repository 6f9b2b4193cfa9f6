package io.kubeaccel.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.core.inventory.Health;
import io.kubeaccel.core.inventory.InventoryStore;
import io.kubeaccel.core.inventory.NumaLocator;
import io.kubeaccel.core.inventory.NvmlInventoryReader;
import io.kubeaccel.nvml.Nvml;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery decisions on a fake NVML with a clock the test moves. */
class HealthRecoveryTest {

  private static final class MovableClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @TempDir
  Path dir;

  private final MovableClock clock = new MovableClock();
  private FakeNode node;
  private Nvml nvml;
  private InventoryStore store;
  private String uuid;

  @BeforeEach
  void open() {
    node = FakeNode.create(dir, FakeInventory.fourGpusTwoNumaNvlinkPairs());
    nvml = Nvml.open(node.libraryPath());
    store = new InventoryStore(
        new NvmlInventoryReader(new NumaLocator(node.sysfsRoot()), clock).read(nvml));
    uuid = store.current().gpus().get(1).uuid();
  }

  @AfterEach
  void close() {
    nvml.close();
  }

  private void fault(HealthRecovery recovery, String reason) {
    recovery.faulted(uuid);
    // As the monitor records it: a reason of its own, next to any other part's.
    store.update(inventory -> inventory.withProblem(uuid, reason, "", clock.instant()));
  }

  @Test
  void aCardIsHealthyAgainOnlyAfterTheQuietPeriod() {
    HealthRecovery recovery = new HealthRecovery(nvml, store, Duration.ofMinutes(5), clock);
    fault(recovery, "XID 79");
    clock.now = clock.now.plus(Duration.ofMinutes(4));
    assertThat(recovery.check()).isEmpty();
    clock.now = clock.now.plus(Duration.ofMinutes(1));
    assertThat(recovery.check()).containsExactly(uuid);
    assertThat(store.current().health(uuid).healthy()).isTrue();
  }

  @Test
  void aNewFaultStartsTheQuietPeriodAgain() {
    HealthRecovery recovery = new HealthRecovery(nvml, store, Duration.ofMinutes(5), clock);
    fault(recovery, "XID 79");
    clock.now = clock.now.plus(Duration.ofMinutes(4));
    recovery.faulted(uuid); // another XID on the card that is already out
    clock.now = clock.now.plus(Duration.ofMinutes(4));
    assertThat(recovery.check()).isEmpty();
    clock.now = clock.now.plus(Duration.ofMinutes(1));
    assertThat(recovery.check()).containsExactly(uuid);
  }

  @Test
  void aCardThatFellOffTheBusIsBackAsSoonAsItAnswersWithItsUuid() {
    HealthRecovery recovery = new HealthRecovery(nvml, store, Duration.ofHours(1), clock);
    fault(recovery, "XID 79");
    node.loseGpu(uuid);
    clock.now = clock.now.plusSeconds(2);
    assertThat(recovery.check()).isEmpty();
    node.recoverGpu(uuid);
    clock.now = clock.now.plusSeconds(2);
    assertThat(recovery.check()).containsExactly(uuid);
  }

  @Test
  void aZeroQuietPeriodNeverRecoversAndOtherReasonsAreLeftAlone() {
    HealthRecovery never = new HealthRecovery(nvml, store, Duration.ZERO, clock);
    fault(never, "XID 79");
    clock.now = clock.now.plus(Duration.ofDays(1));
    assertThat(never.check()).isEmpty();

    String other = store.current().gpus().get(2).uuid();
    HealthRecovery recovery = new HealthRecovery(nvml, store, Duration.ofMinutes(1), clock);
    store.update(inventory ->
        inventory.withHealth(other, Health.unhealthy("held by vgpu containers", clock.instant())));
    clock.now = clock.now.plus(Duration.ofDays(1));
    assertThat(recovery.check())
        .containsExactly(uuid); // the XID card recovers, the withheld one does not
    assertThat(store.current().health(other).healthy()).isFalse();
  }

  @Test
  void anXidOnACardOutForAnotherReasonOutlivesThatReasonAndClearsOnlyItsOwn() {
    String held = "held by containers of another mode: ";
    store.update(inventory -> inventory.withProblem(uuid, held, "ml/train", clock.instant()));
    HealthRecovery recovery = new HealthRecovery(nvml, store, Duration.ofMinutes(1), clock);
    fault(recovery, "XID 79");
    assertThat(store.current().health(uuid).problems())
        .containsExactly(held + "ml/train", "XID 79");

    store.update(inventory -> inventory.withoutProblem(uuid, held, clock.instant()));
    assertThat(store.current().health(uuid).healthy())
        .as("the XID is still there")
        .isFalse();
    assertThat(store.current().health(uuid).reason()).isEqualTo("XID 79");

    store.update(inventory -> inventory.withProblem(uuid, held, "ml/eval", clock.instant()));
    clock.now = clock.now.plus(Duration.ofMinutes(2));
    assertThat(recovery.check()).containsExactly(uuid);
    assertThat(store.current().health(uuid).problems())
        .as("the XID cleared, the other part's reason kept")
        .containsExactly(held + "ml/eval");
  }

  @Test
  void theQuietPeriodComesFromTheEnvironment() {
    assertThat(HealthPolicy.fromEnvironment(java.util.Map.of("HEALTH_RECOVERY_QUIET_PERIOD", "90s"))
            .recoveryQuietPeriod())
        .isEqualTo(Duration.ofSeconds(90));
    assertThat(HealthPolicy.fromEnvironment(java.util.Map.of("HEALTH_RECOVERY_QUIET_PERIOD", "2m"))
            .recoveryQuietPeriod())
        .isEqualTo(Duration.ofMinutes(2));
    assertThat(HealthPolicy.fromEnvironment(java.util.Map.of()).recoveryQuietPeriod())
        .isEqualTo(HealthPolicy.DEFAULT_QUIET_PERIOD);
    org.assertj.core.api.Assertions.assertThatThrownBy(() ->
            HealthPolicy.fromEnvironment(java.util.Map.of("HEALTH_RECOVERY_QUIET_PERIOD", "soon")))
        .hasMessageContaining("HEALTH_RECOVERY_QUIET_PERIOD=\"soon\"");
  }
}
