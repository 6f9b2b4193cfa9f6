package io.kubeaccel.core.sharing;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.core.inventory.DriverInfo;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Health;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.Topology;
import io.kubeaccel.nvml.ComputeCapability;
import io.kubeaccel.nvml.CudaVersion;
import io.kubeaccel.nvml.TopologyLevel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A share mode's view of the node keeps its eligible cards with their own topology and health. */
class CardEligibilityTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void aRestrictedInventoryKeepsTheEligibleCardsTheirLinksAndTheirHealth() {
    Inventory node = fourCards().withHealth(uuid(3), Health.unhealthy("XID 79", T0));
    CardEligibility oddCards = (gpu, driver) -> gpu.index() % 2 == 1;

    Inventory restricted = oddCards.restrict(node);

    assertThat(restricted.gpus()).extracting(Gpu::index).containsExactly(1, 3);
    assertThat(restricted.generation()).isEqualTo(node.generation());
    assertThat(restricted.driver()).isEqualTo(node.driver());
    assertThat(restricted.health(uuid(1)).healthy()).isTrue();
    assertThat(restricted.health(uuid(3)).reason()).isEqualTo("XID 79");
    assertThat(restricted.health()).doesNotContainKeys(uuid(0), uuid(2));
    assertThat(restricted.topology().nvlinks(0, 1)).isEqualTo(4); // cards 1 and 3
    assertThat(restricted.topology().pcie(0, 1)).isEqualTo(TopologyLevel.SINGLE);
  }

  @Test
  void whenEveryCardIsEligibleTheInventoryItselfIsReturned() {
    Inventory node = fourCards();
    assertThat(CardEligibility.ANY.restrict(node)).isSameAs(node);
  }

  @Test
  void theDriverTakesPartInTheDecision() {
    CardEligibility recentDriver =
        (gpu, driver) -> driver.cudaVersion().compareTo(new CudaVersion(11, 5)) >= 0;
    assertThat(recentDriver.restrict(fourCards()).gpus()).hasSize(4);
    Inventory old = new Inventory(
        0,
        fourCards().gpus(),
        fourCards().topology(),
        fourCards().health(),
        new DriverInfo("470.57.02", new CudaVersion(11, 4)),
        "");
    assertThat(recentDriver.restrict(old).gpus()).isEmpty();
  }

  private static Inventory fourCards() {
    List<Gpu> gpus = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      gpus.add(new Gpu(
          i,
          uuid(i),
          "NVIDIA A100-SXM4-40GB",
          i,
          "0000:1" + i + ":00.0",
          0,
          40L << 30,
          new ComputeCapability(8, 0),
          Gpu.MigState.DISABLED,
          List.of()));
    }
    TopologyLevel[][] pcie = new TopologyLevel[4][4];
    int[][] nvlinks = new int[4][4];
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        pcie[i][j] = TopologyLevel.SYSTEM;
      }
    }
    pcie[1][3] = TopologyLevel.SINGLE;
    pcie[3][1] = TopologyLevel.SINGLE;
    nvlinks[1][3] = 4;
    nvlinks[3][1] = 4;
    return Inventory.of(
        gpus, new Topology(pcie, nvlinks), new DriverInfo("550.54.15", new CudaVersion(12, 4)), T0);
  }

  private static String uuid(int i) {
    return "GPU-0000000" + i + "-0000-0000-0000-000000000000";
  }
}
