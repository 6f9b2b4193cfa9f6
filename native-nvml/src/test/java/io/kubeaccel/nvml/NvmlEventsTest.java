package io.kubeaccel.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** XID events: scripted in the inventory, injected through the control file, and what a lost GPU reports. */
class NvmlEventsTest {
  private static final Duration PATIENCE = Duration.ofSeconds(10);

  @TempDir
  Path dir;

  @Test
  void deliversAScriptedXidToTheSetThatRegisteredItAndThenTimesOut() {
    FakeInventory inventory = FakeInventory.fourGpusTwoNumaNvlinkPairs().toBuilder()
        .xidEvent(100, 2, 79)
        .build();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath());
        NvmlEventSet xids = nvml.createEventSet();
        NvmlEventSet others = nvml.createEventSet()) {
      NvmlDevice gpu2 = nvml.device(2);
      xids.register(gpu2, NvmlEventTypes.XID_CRITICAL_ERROR);
      others.register(nvml.device(0), NvmlEventTypes.XID_CRITICAL_ERROR);
      others.register(gpu2, NvmlEventTypes.DOUBLE_BIT_ECC_ERROR);

      NvmlEvent event = xids.await(PATIENCE).orElseThrow();

      assertThat(event.device()).isSameAs(gpu2);
      assertThat(event.eventType()).isEqualTo(NvmlEventTypes.XID_CRITICAL_ERROR);
      assertThat(event.eventData()).isEqualTo(79);
      assertThat(event.gpuInstanceId()).isEqualTo(0xFFFFFFFF);
      assertThat(event.computeInstanceId()).isEqualTo(0xFFFFFFFF);
      assertThat(xids.await(Duration.ofMillis(20))).isEmpty();
      assertThat(others.await(Duration.ZERO)).isEmpty();
    }
  }

  @Test
  void deliversAnInjectedXidWithinMilliseconds() throws Exception {
    FakeInventory inventory = FakeInventory.fourGpusTwoNumaNvlinkPairs();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath());
        NvmlEventSet set = nvml.createEventSet()) {
      NvmlDevice gpu1 = nvml.device(1);
      set.register(gpu1, NvmlEventTypes.XID_CRITICAL_ERROR);
      BlockingQueue<Long> received = new LinkedBlockingQueue<>();
      AtomicBoolean running = new AtomicBoolean(true);
      // The waiter sits in nvmlEventSetWait_v2 while the test appends to the control file: the path
      // another process
      // (simulate, a shell) would take.
      CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
        while (running.get()) {
          set.await(Duration.ofMillis(200)).ifPresent(e -> received.add(System.nanoTime()));
        }
      });
      List<Long> latenciesMicros = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        long injected = System.nanoTime();
        node.injectXid(inventory.gpu(1).uuid(), 48);
        Long at = received.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(at).as("XID %d delivered", i).isNotNull();
        latenciesMicros.add((at - injected) / 1000);
      }
      running.set(false);
      waiter.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
      Collections.sort(latenciesMicros);
      // Waiters poll the control file every 2 ms; the median says how fast, the bound leaves room
      // for a busy machine.
      assertThat(latenciesMicros.get(latenciesMicros.size() / 2)).isLessThan(50_000);
    }
  }

  @Test
  void injectedXidCarriesTheGpuAndNumber() {
    FakeInventory inventory = FakeInventory.dgx1CubeMesh();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath());
        NvmlEventSet set = nvml.createEventSet()) {
      NvmlDevice gpu5 = nvml.device(5);
      NvmlDevice gpu6 = nvml.device(6);
      set.register(gpu5, NvmlEventTypes.XID_CRITICAL_ERROR | NvmlEventTypes.DOUBLE_BIT_ECC_ERROR);
      set.register(gpu6, NvmlEventTypes.XID_CRITICAL_ERROR);
      node.injectXid(inventory.gpu(6).uuid(), 13);
      node.injectXid(inventory.gpu(5).uuid(), 94);

      assertThat(set.await(PATIENCE))
          .map(e -> e.device().index() + ":" + e.eventData())
          .contains("6:13");
      Optional<NvmlEvent> second = set.await(PATIENCE);
      assertThat(second).map(NvmlEvent::device).containsSame(gpu5);
      assertThat(second).map(NvmlEvent::eventData).contains(94L);
    }
  }

  @Test
  void aGpuLostWhileWaitingReportsXid79() throws Exception {
    FakeInventory inventory = FakeInventory.fourGpusTwoNumaNvlinkPairs();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath());
        NvmlEventSet set = nvml.createEventSet()) {
      NvmlDevice gpu3 = nvml.device(3);
      set.register(gpu3, NvmlEventTypes.XID_CRITICAL_ERROR);
      CompletableFuture<Optional<NvmlEvent>> waiting =
          CompletableFuture.supplyAsync(() -> set.await(PATIENCE));

      node.loseGpu(inventory.gpu(3).uuid());

      NvmlEvent event =
          waiting.get(PATIENCE.toMillis() * 2, TimeUnit.MILLISECONDS).orElseThrow();
      assertThat(event.device()).isSameAs(gpu3);
      assertThat(event.eventData()).isEqualTo(79);
    }
  }

  @Test
  void anInjectedWaitFailureEndsTheWaitWithThatCode() throws Exception {
    FakeNode node = FakeNode.create(dir, FakeInventory.fourGpusTwoNumaNvlinkPairs());
    try (Nvml nvml = Nvml.open(node.libraryPath());
        NvmlEventSet set = nvml.createEventSet()) {
      set.register(nvml.device(0), NvmlEventTypes.XID_CRITICAL_ERROR);
      CompletableFuture<Optional<NvmlEvent>> waiting =
          CompletableFuture.supplyAsync(() -> set.await(PATIENCE));

      node.failCalls("nvmlEventSetWait_v2", null, NvmlReturn.UNKNOWN);

      assertThatThrownBy(() -> waiting.get(PATIENCE.toMillis() * 2, TimeUnit.MILLISECONDS))
          .cause()
          .isInstanceOfSatisfying(NvmlException.class, e -> {
            assertThat(e.code()).isEqualTo(NvmlReturn.UNKNOWN);
            assertThat(e.function()).isEqualTo("nvmlEventSetWait_v2");
            assertThat(e.getMessage()).contains("Unknown Error");
          });
      node.clearFailures();
      assertThat(set.await(Duration.ZERO)).isEmpty();
    }
  }

  @Test
  void registeringUnsupportedEventTypesIsRejected() {
    FakeNode node = FakeNode.create(dir, FakeInventory.fourGpusTwoNumaNvlinkPairs());
    try (Nvml nvml = Nvml.open(node.libraryPath());
        NvmlEventSet set = nvml.createEventSet()) {
      assertThatThrownBy(() -> set.register(nvml.device(0), NvmlEventTypes.MIG_CONFIG_CHANGE))
          .isInstanceOfSatisfying(
              NvmlException.class, e -> assertThat(e.code()).isEqualTo(NvmlReturn.NOT_SUPPORTED));
    }
  }
}
