package io.kubeaccel.core.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.core.inventory.Topology;
import io.kubeaccel.nvml.fake.FakeInventory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On 8-GPU nodes the chooser is compared with the brute-force optimum for every request there can be: every set of
 * available GPUs, every size, every must-include subset. The topologies are read through the fake NVML, so the
 * inventory reader and the scorer are proven to agree on what the machine is.
 */
class CardSetChooserExhaustiveTest {

  private static final int GPUS = 8;

  @TempDir
  Path dir;

  @Test
  void theReaderSeesTheFakeDgx1AsTheHandWrittenCubeMesh() {
    assertThat(Topologies.readThroughFakeNvml(FakeInventory.dgx1CubeMesh(), dir))
        .isEqualTo(Topologies.dgx1CubeMesh());
  }

  @Test
  void theReaderSeesTheFakeHgxAndPcieNodesAsTheHandWrittenOnes() {
    assertThat(Topologies.readThroughFakeNvml(FakeInventory.hgxH100NvSwitch(), dir.resolve("hgx")))
        .isEqualTo(Topologies.hgxH100());
    assertThat(
            Topologies.readThroughFakeNvml(FakeInventory.pcieOnlyTwoSocket(8), dir.resolve("pcie")))
        .isEqualTo(Topologies.pcieTwoSocket8());
  }

  @Test
  void everyRequestOnTheDgx1CubeMeshGetsTheOptimumIncludingTheKubeletsCases() {
    Topology topology = Topologies.readThroughFakeNvml(FakeInventory.dgx1CubeMesh(), dir);
    ChooserOracle oracle = new ChooserOracle(topology);

    int kubeletCases = checkEveryRequest(oracle);

    assertThat(oracle.disagreements()).isEmpty();
    // The kubelet asks only when more GPUs are free than requested, and with no must-include for
    // whole cards: the 769 (availability, size) cases NVIDIA's plugin was measured on.
    assertThat(kubeletCases).isEqualTo(769);
    assertThat(oracle.requests()).isEqualTo(everyRequestCount());
  }

  @Test
  void everyRequestOnTheHgxH100NvSwitchNodeGetsTheOptimum() {
    ChooserOracle oracle =
        new ChooserOracle(Topologies.readThroughFakeNvml(FakeInventory.hgxH100NvSwitch(), dir));

    checkEveryRequest(oracle);

    assertThat(oracle.disagreements()).isEmpty();
  }

  @Test
  void everyRequestOnTheTwoSocketPcieOnlyNodeGetsTheOptimum() {
    ChooserOracle oracle =
        new ChooserOracle(Topologies.readThroughFakeNvml(FakeInventory.pcieOnlyTwoSocket(8), dir));

    checkEveryRequest(oracle);

    assertThat(oracle.disagreements()).isEmpty();
  }

  @Test
  void everyRequestOnARandomEightGpuTopologyGetsTheOptimum() {
    ChooserOracle oracle = new ChooserOracle(Topologies.random(GPUS, 8));

    checkEveryRequest(oracle);

    assertThat(oracle.disagreements()).isEmpty();
  }

  /** Checks every (available, must-include, size); returns how many of them the kubelet itself could send. */
  private static int checkEveryRequest(ChooserOracle oracle) {
    int kubeletCases = 0;
    for (int available = 1; available < 1 << GPUS; available++) {
      int free = Integer.bitCount(available);
      for (int size = 1; size <= free; size++) {
        // every subset of the available GPUs, the empty one included, as must-include
        for (int must = available; ; must = (must - 1) & available) {
          if (Integer.bitCount(must) <= size) {
            oracle.check(ChooserOracle.positions(available), ChooserOracle.positions(must), size);
            if (must == 0 && size < free) {
              kubeletCases++;
            }
          }
          if (must == 0) {
            break;
          }
        }
      }
    }
    return kubeletCases;
  }

  /** Sum over availability sets A, sizes k and must-include subsets M of A with |M| <= k. */
  private static int everyRequestCount() {
    int count = 0;
    for (int free = 1; free <= GPUS; free++) {
      int sets = binomial(GPUS, free);
      for (int size = 1; size <= free; size++) {
        for (int must = 0; must <= size; must++) {
          count += sets * binomial(free, must);
        }
      }
    }
    return count;
  }

  private static int binomial(int n, int k) {
    int result = 1;
    for (int i = 1; i <= k; i++) {
      result = result * (n - k + i) / i;
    }
    return result;
  }
}
