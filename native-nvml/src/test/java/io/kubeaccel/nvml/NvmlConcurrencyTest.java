package io.kubeaccel.nvml;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One Nvml shared by querying threads and a health-watching thread, as the agents use it. */
class NvmlConcurrencyTest {
  @TempDir
  Path dir;

  @Test
  void queriesFromSeveralThreadsRunWhileAWatcherReceivesEveryInjectedXid() throws Exception {
    FakeInventory inventory = FakeInventory.dgx1CubeMesh();
    FakeNode node = FakeNode.create(dir, inventory);
    ExecutorService pool = Executors.newFixedThreadPool(5);
    try (Nvml nvml = Nvml.open(node.libraryPath());
        NvmlEventSet set = nvml.createEventSet()) {
      for (int i = 0; i < 8; i++) {
        set.register(nvml.device(i), NvmlEventTypes.XID_CRITICAL_ERROR);
      }
      int xids = 40;
      Set<Long> received = ConcurrentHashMap.newKeySet();
      Future<?> watcher = pool.submit(() -> {
        while (received.size() < xids) {
          set.await(Duration.ofSeconds(10))
              .ifPresent(e -> received.add(e.eventData() * 10 + e.device().index()));
        }
        return null;
      });
      List<Future<?>> readers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int offset = t;
        readers.add(pool.submit(() -> {
          for (int call = 0; call < 500; call++) {
            NvmlDevice device = nvml.device((call + offset) % 8);
            assertThat(device.uuid()).isEqualTo(inventory.gpu(device.index()).uuid());
            assertThat(device.nvLinkActive(call % 6)).isTrue();
            assertThat(device.memoryInfo().total()).isPositive();
          }
          return null;
        }));
      }
      for (int i = 0; i < xids; i++) {
        node.injectXid(inventory.gpu(i % 8).uuid(), 100 + i);
      }
      for (Future<?> reader : readers) {
        reader.get(30, TimeUnit.SECONDS);
      }
      watcher.get(30, TimeUnit.SECONDS);
      assertThat(received).hasSize(xids);
      assertThat(received).contains(1000L, 1000L + 10 * 39 + 7);
    } finally {
      pool.shutdownNow();
    }
  }
}
