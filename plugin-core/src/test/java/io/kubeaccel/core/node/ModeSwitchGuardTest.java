package io.kubeaccel.core.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.core.inventory.Health;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.InventoryStore;
import io.kubeaccel.core.kube.InMemoryNodeApi;
import io.kubeaccel.core.ledger.ListedContainer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A vGPU agent starting on a node whose cards pGPU containers still hold. */
class ModeSwitchGuardTest {

  private final Inventory inventory = Cards.h100s(4, true);
  private final InventoryStore store = new InventoryStore(inventory);
  private final List<ListedContainer> listed = new ArrayList<>();
  private final ModeSwitchGuard guard = new ModeSwitchGuard(
      () -> Optional.of(List.copyOf(listed)),
      Set.of("tencent.com/vcuda-core", "tencent.com/vcuda-memory"),
      store,
      Duration.ofHours(1),
      Clock.systemUTC());

  private String uuid(int index) {
    return inventory.gpus().get(index).uuid();
  }

  @Test
  void cardsHeldByAnotherModesContainersAreWithheldUntilReleased() {
    listed.add(new ListedContainer(
        "ml", "old-trainer", "main", Map.of("nvidia.com/gpu", List.of(uuid(0)))));
    listed.add(new ListedContainer(
        "ml", "old-shared", "main", Map.of("nvidia.com/gpu", List.of(uuid(2) + "::1"))));
    listed.add(new ListedContainer(
        "ml", "mig-user", "main", Map.of("nvidia.com/mig-1g.10gb", List.of("MIG-1a"))));
    listed.add(new ListedContainer(
        "ml", "mine", "main", Map.of("tencent.com/vcuda-core", List.of(uuid(3) + "-vcore-0"))));
    listed.add(new ListedContainer("ml", "nic", "main", Map.of("rdma/hca", List.of("mlx5_0"))));

    guard.check();

    Inventory now = store.current();
    assertThat(now.health(uuid(0)).healthy()).isFalse();
    assertThat(now.health(uuid(0)).reason()).isEqualTo(ModeSwitchGuard.REASON + "ml/old-trainer");
    assertThat(now.health(uuid(1)).healthy()).as("MIG device's card").isFalse();
    assertThat(now.health(uuid(2)).healthy()).as("a replica's card").isFalse();
    assertThat(now.health(uuid(3)).healthy())
        .as("our own resources do not withhold")
        .isTrue();

    listed.removeIf(c -> !c.pod().equals("old-trainer"));
    guard.check();
    assertThat(store.current().health(uuid(1)).healthy()).isTrue();
    assertThat(store.current().health(uuid(2)).healthy()).isTrue();
    assertThat(store.current().health(uuid(0)).healthy()).isFalse();
  }

  @Test
  void renamedTimeSlicedResourcesAndIndexIdsHoldTheirCardsToo() {
    listed.add(new ListedContainer(
        "ml", "renamed", "main", Map.of("nvidia.com/shared-h100", List.of(uuid(1) + "::0"))));
    listed.add(
        new ListedContainer("ml", "by-index", "main", Map.of("nvidia.com/gpu", List.of("3"))));
    listed.add(new ListedContainer(
        "ml", "nic", "main", Map.of("nvidia.com/rdma_shared_device_a", List.of("2"))));

    guard.check();

    Inventory now = store.current();
    assertThat(now.health(uuid(0)).healthy()).isTrue();
    assertThat(now.health(uuid(1)).reason()).isEqualTo(ModeSwitchGuard.REASON + "ml/renamed");
    assertThat(now.health(uuid(2)).healthy()).isTrue();
    assertThat(now.health(uuid(3)).reason()).isEqualTo(ModeSwitchGuard.REASON + "ml/by-index");
  }

  @Test
  void aCardOutForAnXidIsNotGivenBackByTheGuard() {
    store.update(i -> i.withHealth(uuid(0), Health.unhealthy("XID 79", Cards.T0)));
    guard.check();
    assertThat(store.current().health(uuid(0)).reason()).isEqualTo("XID 79");
  }

  @Test
  void cardsWithheldBeforeEventsAreWatchedGetTheirEventWhenWatchingStarts() throws Exception {
    // The agent's order: the guard's first check before serving, Events once the agent runs.
    listed.add(
        new ListedContainer("ml", "old", "main", Map.of("nvidia.com/gpu", List.of(uuid(1)))));
    guard.check();
    InMemoryNodeApi api = new InMemoryNodeApi();
    try (AutoCloseable watching = HealthEvents.watch(store, api)) {
      guard.check(); // nothing changed: no second Event
    }
    assertThat(api.events())
        .extracting(InMemoryNodeApi.Event::reason)
        .containsExactly("GpuUnhealthy");
    assertThat(api.events().get(0).message())
        .contains("GPU 1", "held by containers of another mode: ml/old");
  }

  @Test
  void healthTransitionsBecomeNodeEvents() throws Exception {
    InMemoryNodeApi api = new InMemoryNodeApi();
    try (AutoCloseable watching = HealthEvents.watch(store, api)) {
      listed.add(
          new ListedContainer("ml", "old", "main", Map.of("nvidia.com/gpu", List.of(uuid(0)))));
      guard.check();
      listed.clear();
      guard.check();
    }
    assertThat(api.events())
        .extracting(InMemoryNodeApi.Event::reason)
        .containsExactly("GpuUnhealthy", "GpuHealthy");
    assertThat(api.events().get(0).message())
        .contains("held by containers of another mode: ml/old");
  }
}
