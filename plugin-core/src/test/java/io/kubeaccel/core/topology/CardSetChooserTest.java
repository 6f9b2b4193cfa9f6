package io.kubeaccel.core.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.core.inventory.Topology;
import io.kubeaccel.nvml.TopologyLevel;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chooser's promises on cases small enough to check by eye. */
class CardSetChooserTest {

  private static final List<Integer> ALL_EIGHT = List.of(0, 1, 2, 3, 4, 5, 6, 7);

  private final CardSetChooser dgx1 = new CardSetChooser(Topologies.dgx1CubeMesh());

  @Test
  void twoCardsOnAFreeCubeMeshGetADoubleNvLinkPairBehindOnePcieSwitch() {
    CardSet chosen = dgx1.choose(ALL_EIGHT, List.of(), 2);

    assertThat(chosen.positions()).containsExactly(2, 3);
    assertThat(chosen.score()).isEqualTo(250);
    assertThat(chosen.optimal()).isTrue();
    // NVIDIA's plugin answers {1, 2}: also two NVLinks, but across PCIe switches.
    assertThat(dgx1.scorer().setScore(List.of(1, 2))).isEqualTo(220);
  }

  @Test
  void fourCardsOnAFreeCubeMeshGetOneSocketsFullyLinkedQuad() {
    CardSet chosen = dgx1.choose(ALL_EIGHT, List.of(), 4);

    assertThat(chosen.positions()).containsExactly(0, 1, 2, 3);
    assertThat(chosen.score()).isEqualTo(150 + 120 + 220 + 220 + 120 + 250);
  }

  @Test
  void oneCardGoesToTheGpuWhosePartnerIsTakenRatherThanBreakingAFreePair() {
    CardSetChooser fourGpus = new CardSetChooser(fourGpusInTwoNvLinkPairs());

    // GPU 1 is taken: 0 has lost its partner, 2 and 3 are still a whole pair.
    CardSet chosen = fourGpus.choose(List.of(2, 3, 0), List.of(), 1);

    assertThat(chosen.positions()).containsExactly(0);
    assertThat(chosen.cut()).isEqualTo(20);
  }

  @Test
  void oneCardOnACubeMeshGoesToTheBestPartnerOfATakenGpu() {
    // GPU 3 is taken; its NV2 partner behind the same switch, 2, is the card that loses most.
    CardSet chosen = dgx1.choose(List.of(0, 1, 2, 4, 5, 6, 7), List.of(), 1);

    assertThat(chosen.positions()).containsExactly(2);
  }

  @Test
  void mustIncludeIsHonouredAndGetsItsBestPartner() {
    CardSet chosen = dgx1.choose(ALL_EIGHT, List.of(4), 2);

    assertThat(chosen.positions()).containsExactly(4, 7);
    assertThat(chosen.score()).isEqualTo(220);
  }

  @Test
  void mustIncludeFillingTheRequestIsTheAnswer() {
    assertThat(dgx1.choose(ALL_EIGHT, List.of(6, 1), 2).positions()).containsExactly(1, 6);
  }

  @Test
  void onAnNvSwitchNodePcieAndNumaLocalityDecide() {
    CardSetChooser hgx = new CardSetChooser(Topologies.hgxH100());
    List<Integer> all = ALL_EIGHT;

    assertThat(hgx.choose(all, List.of(), 2).positions()).containsExactly(0, 1);
    assertThat(hgx.choose(all, List.of(), 4).positions()).containsExactly(0, 1, 2, 3);
    assertThat(hgx.choose(List.of(1, 2, 4, 5, 6), List.of(), 2).positions()).containsExactly(4, 5);
  }

  @Test
  void onAPcieOnlyNodeTheCardsBehindOneSwitchGoTogether() {
    CardSetChooser pcie = new CardSetChooser(Topologies.pcieTwoSocket8());

    assertThat(pcie.choose(List.of(0, 2, 3, 5), List.of(), 2).positions()).containsExactly(2, 3);
    assertThat(pcie.choose(List.of(0, 3, 4, 5), List.of(0), 2).positions()).containsExactly(0, 3);
  }

  @Test
  void asManyCardsAsAreAvailableGetThemAll() {
    CardSet chosen = dgx1.choose(List.of(7, 0, 5), List.of(), 3);

    assertThat(chosen.positions()).containsExactly(0, 5, 7);
    assertThat(chosen.cut()).isZero();
  }

  @Test
  void theSameRequestGetsTheSameAnswerWhateverTheOrderOfItsLists() {
    CardSet first = dgx1.choose(List.of(5, 1, 7, 0, 3), List.of(7), 3);
    CardSet second = dgx1.choose(List.of(0, 1, 3, 5, 7), List.of(7), 3);

    assertThat(second).isEqualTo(first);
  }

  @Test
  void badRequestsAreRefusedWithTheReason() {
    assertRefused(() -> dgx1.choose(ALL_EIGHT, List.of(), 0), "size must be at least 1, got 0");
    assertRefused(
        () -> dgx1.choose(List.of(0, 1), List.of(), 3), "size 3 is more than the 2 available GPUs");
    assertRefused(
        () -> dgx1.choose(List.of(0, 1, 2), List.of(0, 1), 1),
        "mustInclude names 2 GPUs, more than the size 1");
    assertRefused(
        () -> dgx1.choose(List.of(0, 1, 2), List.of(5, 6), 2),
        "mustInclude GPUs [5, 6] are not available");
    assertRefused(() -> dgx1.choose(List.of(0, 1, 1), List.of(), 1), "available names GPU 1 twice");
    assertRefused(
        () -> dgx1.choose(List.of(0, 1), List.of(0, 0), 2), "mustInclude names GPU 0 twice");
    assertRefused(
        () -> dgx1.choose(List.of(0, 8), List.of(), 1),
        "available holds 8, which is not a GPU position of this node (0..7)");
    assertRefused(
        () -> dgx1.choose(List.of(0, 1), List.of(-1), 1),
        "mustInclude holds -1, which is not a GPU position");
    assertRefused(() -> dgx1.choose(Arrays.asList(0, null), List.of(), 1), "available holds null");
  }

  private static void assertRefused(Runnable request, String reason) {
    assertThatThrownBy(request::run)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(reason);
  }

  /** Four GPUs, 0-1 and 2-3 joined by two NVLinks and one PCIe switch each, the pairs on different CPUs. */
  private static Topology fourGpusInTwoNvLinkPairs() {
    TopologyLevel[][] pcie = new TopologyLevel[4][4];
    int[][] links = new int[4][4];
    for (int a = 0; a < 4; a++) {
      for (int b = 0; b < 4; b++) {
        boolean samePair = a / 2 == b / 2;
        pcie[a][b] = a == b
            ? TopologyLevel.INTERNAL
            : samePair ? TopologyLevel.SINGLE : TopologyLevel.SYSTEM;
        links[a][b] = samePair && a != b ? 2 : 0;
      }
    }
    return new Topology(pcie, links);
  }
}
