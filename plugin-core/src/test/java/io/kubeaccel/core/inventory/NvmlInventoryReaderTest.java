package io.kubeaccel.core.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.nvml.Nvml;
import io.kubeaccel.nvml.TopologyLevel;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeNode;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inventory as read through the production JNA path from the fake library. */
class NvmlInventoryReaderTest {

  @TempDir
  Path dir;

  private Inventory read(FakeInventory fake) {
    FakeNode node = FakeNode.create(dir, fake);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      return new NvmlInventoryReader(new NumaLocator(node.sysfsRoot()), Clock.systemUTC())
          .read(nvml);
    }
  }

  @Test
  void cardsNumaNvlinkPairsAndPcieLevelsComeFromNvmlAndSysfs() {
    FakeInventory fake = FakeInventory.fourGpusTwoNumaNvlinkPairs();
    Inventory inventory = read(fake);
    assertThat(inventory.gpus())
        .extracting(Gpu::uuid)
        .containsExactlyElementsOf(fake.gpus().stream().map(g -> g.uuid()).toList());
    assertThat(inventory.gpus()).extracting(Gpu::numaNode).containsExactly(0, 0, 1, 1);
    assertThat(inventory.gpus())
        .allMatch(g -> g.memoryMiB() == 40960 && g.mig() == Gpu.MigState.DISABLED);
    assertThat(inventory.topology().nvlinks(0, 1)).isEqualTo(2);
    assertThat(inventory.topology().nvlinks(0, 2)).isZero();
    assertThat(inventory.topology().pcie(0, 1)).isEqualTo(TopologyLevel.SINGLE);
    assertThat(inventory.topology().pcie(1, 2)).isEqualTo(TopologyLevel.SYSTEM);
    assertThat(inventory.driver().cudaVersion().major()).isEqualTo(12);
    assertThat(inventory.healthyCount()).isEqualTo(4);
  }

  @Test
  void cardsOnAnNvswitchFabricAreLinkedToEachOther() {
    Inventory inventory = read(FakeInventory.hgxH100NvSwitch());
    for (int a = 0; a < 8; a++) {
      for (int b = 0; b < 8; b++) {
        assertThat(inventory.topology().nvlinks(a, b)).isEqualTo(a == b ? 0 : 18);
      }
    }
  }

  @Test
  void migDevicesAreReadWithTheirProfilesAndInstances() {
    Inventory inventory = read(FakeInventory.a100MigMixed());
    Gpu first = inventory.gpus().get(0);
    assertThat(first.mig()).isEqualTo(Gpu.MigState.ENABLED);
    assertThat(first.migDevices())
        .extracting(MigDevice::profile)
        .containsExactly("3g.20gb", "1g.5gb", "1g.5gb");
    assertThat(first.migDevices()).extracting(MigDevice::index).containsExactly(0, 1, 2);
    assertThat(first.migDevices())
        .allMatch(d -> d.uuid().startsWith("MIG-") && d.memoryBytes() > 0);
    assertThat(inventory.gpus().get(1).migDevices())
        .hasSize(7)
        .allMatch(d -> d.profile().equals("1g.5gb"));
  }
}
