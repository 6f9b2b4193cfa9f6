package io.kubeaccel.core.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.core.inventory.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * On 16-GPU nodes every request cannot be tried, so thousands of seeded random ones are, each compared with the
 * brute-force optimum; the seeds make a failure reproducible.
 */
class CardSetChooserSixteenGpuTest {

  private static final int GPUS = 16;
  private static final int REQUESTS = 3_000;

  @Test
  void randomRequestsOnADgx2NvSwitchNodeGetTheOptimum() {
    assertOptimalOnRandomRequests(Topologies.dgx2NvSwitch16(), 16);
  }

  @Test
  void randomRequestsOnTwoCubeMeshesInOneNodeGetTheOptimum() {
    assertOptimalOnRandomRequests(Topologies.twoCubeMeshes16(), 2);
  }

  @Test
  void randomRequestsOnARandomSixteenGpuTopologyGetTheOptimum() {
    assertOptimalOnRandomRequests(Topologies.random(GPUS, 16), 1616);
  }

  @Test
  void everySizeWithAllSixteenFreeGetsTheOptimum() {
    for (Topology topology : List.of(
        Topologies.dgx2NvSwitch16(), Topologies.twoCubeMeshes16(), Topologies.random(GPUS, 7))) {
      ChooserOracle oracle = new ChooserOracle(topology);
      for (int size = 1; size <= GPUS; size++) {
        oracle.check(ChooserOracle.positions((1L << GPUS) - 1), List.of(), size);
      }
      assertThat(oracle.disagreements()).isEmpty();
    }
  }

  private static void assertOptimalOnRandomRequests(Topology topology, long seed) {
    ChooserOracle oracle = new ChooserOracle(topology);
    Random random = new Random(seed);
    while (oracle.requests() < REQUESTS) {
      // Mostly busy-ish nodes, sometimes all free: the cases where the choice is hardest.
      double freeShare = random.nextInt(4) == 0 ? 1.0 : 0.3 + 0.7 * random.nextDouble();
      List<Integer> available = new ArrayList<>();
      for (int gpu = 0; gpu < GPUS; gpu++) {
        if (random.nextDouble() < freeShare) {
          available.add(gpu);
        }
      }
      if (available.isEmpty()) {
        continue;
      }
      int size = 1 + random.nextInt(available.size());
      List<Integer> shuffled = new ArrayList<>(available);
      java.util.Collections.shuffle(shuffled, random);
      int mustCount = random.nextInt(3) == 0 ? random.nextInt(Math.min(size, 3) + 1) : 0;
      oracle.check(available, shuffled.subList(0, mustCount), size);
    }
    assertThat(oracle.disagreements()).isEmpty();
  }
}
