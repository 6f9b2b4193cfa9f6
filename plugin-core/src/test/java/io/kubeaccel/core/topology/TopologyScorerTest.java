package io.kubeaccel.core.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.core.inventory.Topology;
import io.kubeaccel.nvml.TopologyLevel;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopologyScorerTest {

  private final TopologyScorer dgx1 = new TopologyScorer(Topologies.dgx1CubeMesh());

  @Test
  void levelScoresFollowNvidiasScaleFromSameBoardToCrossCpu() {
    assertThat(List.of(TopologyLevel.values()).stream().map(TopologyScorer::levelScore))
        .containsExactly(60, 50, 40, 30, 20, 10);
  }

  @Test
  void aPairScoresOneHundredPerNvLinkPlusItsPcieLevel() {
    assertThat(dgx1.pairScore(2, 3)).as("NV2, one PCIe switch").isEqualTo(250);
    assertThat(dgx1.pairScore(1, 2)).as("NV2, same CPU").isEqualTo(220);
    assertThat(dgx1.pairScore(0, 1)).as("NV1, one PCIe switch").isEqualTo(150);
    assertThat(dgx1.pairScore(0, 4)).as("NV2, across CPUs").isEqualTo(210);
    assertThat(dgx1.pairScore(0, 5)).as("no NVLink, across CPUs").isEqualTo(10);
    assertThat(dgx1.pairScore(3, 3)).isZero();
  }

  @Test
  void aSetScoresTheSumOfItsPairs() {
    assertThat(dgx1.setScore(List.of(3, 1, 2))).isEqualTo(220 + 250 + 120);
    assertThat(dgx1.setScore(List.of(5))).isZero();
    assertThat(dgx1.setScore(List.of())).isZero();
  }

  @Test
  void nvSwitchPairsScoreAlikeSoPcieLocalityDecides() {
    TopologyScorer hgx = new TopologyScorer(Topologies.hgxH100());

    assertThat(hgx.pairScore(0, 1)).isEqualTo(1850);
    assertThat(hgx.pairScore(0, 2)).isEqualTo(1820);
    assertThat(hgx.pairScore(0, 7)).isEqualTo(1810);
  }

  @Test
  void positionsOutsideTheNodeOrRepeatedAreRefused() {
    assertThatThrownBy(() -> dgx1.pairScore(0, 8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("8 is outside 0..7");
    assertThatThrownBy(() -> dgx1.setScore(List.of(1, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("GPU 1 twice");
  }

  @Test
  void aCorruptNvLinkCountIsRefusedWhenScoring() {
    TopologyLevel[][] pcie = {
      {TopologyLevel.INTERNAL, TopologyLevel.SYSTEM}, {TopologyLevel.SYSTEM, TopologyLevel.INTERNAL}
    };

    assertThatThrownBy(() -> new TopologyScorer(new Topology(pcie, new int[][] {{0, -1}, {-1, 0}})))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("have -1 NVLinks");
  }
}
