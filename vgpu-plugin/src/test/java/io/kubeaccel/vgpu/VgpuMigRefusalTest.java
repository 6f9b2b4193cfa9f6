package io.kubeaccel.vgpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.NumaLocator;
import io.kubeaccel.core.inventory.NvmlInventoryReader;
import io.kubeaccel.core.kube.InMemoryNodeApi;
import io.kubeaccel.nvml.Nvml;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cards in MIG mode: vGPU does not share them, and says so once per card, in the log and on the Node. */
class VgpuMigRefusalTest {

  @TempDir
  Path dir;

  @Test
  void eachMigCardIsReportedOnceWithTheFix() throws Exception {
    FakeNode node =
        FakeNode.create(Files.createDirectories(dir.resolve("nvml")), FakeInventory.a100MigMixed());
    Inventory inventory;
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      inventory =
          new NvmlInventoryReader(new NumaLocator(node.sysfsRoot()), Clock.systemUTC()).read(nvml);
    }
    InMemoryNodeApi events = new InMemoryNodeApi();
    Set<String> reported = new HashSet<>();

    VgpuMode.reportMigCards(inventory, events, reported);
    VgpuMode.reportMigCards(inventory, events, reported); // again, as after a late NVML start

    long migCards = inventory.gpus().stream()
        .filter(gpu -> gpu.mig() == Gpu.MigState.ENABLED)
        .count();
    assertThat(migCards).isPositive();
    assertThat(events.events()).hasSize((int) migCards);
    assertThat(events.events()).allSatisfy(event -> {
      assertThat(event.reason()).isEqualTo("VgpuGpuRefused");
      assertThat(event.message())
          .contains("is in MIG mode", "-mig 0", "pgpu mode", "not advertised");
    });
  }
}
