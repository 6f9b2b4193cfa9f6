package io.kubeaccel.mps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.core.kube.PodRef;
import io.kubeaccel.core.ledger.Grant;
import io.kubeaccel.nvml.ComputeMode;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.testkit.FakeMpsControl;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The grants survive agent restarts (checkpoint, PodResources, the pods' annotations); the daemon comes back. */
class MpsRestartTest {

  private MpsNode node;

  @BeforeEach
  void start() throws Exception {
    node = new MpsNode(FakeInventory.fourGpusTwoNumaNvlinkPairs()).startAgent();
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  @Test
  void aRestartedAgentKeepsEveryGrantAndItsDaemon() throws Exception {
    for (int i = 0; i < 4; i++) {
      node.admit(node.pod("keep" + i, Map.of(), new int[] {90, 8}), 0, 90, 8, i % 2 == 0);
    }
    List<Grant> before = node.cards.ledger().grants();

    node.stopAgent();
    assertThat(node.nvml.computeModes().values()).containsOnly(ComputeMode.DEFAULT);
    node.startAgent();

    assertThat(node.cards.ledger().grants()).isEqualTo(before);
    assertThat(node.nvml.computeModes().values()).containsOnly(ComputeMode.EXCLUSIVE_PROCESS);
    assertThat(FakeMpsControl.daemonPid(node.pipe())).isPresent();
    PodRef late = node.pod("late", Map.of(), new int[] {20, 8});
    assertThatThrownBy(() -> node.admit(late, 0, 20, 8, false))
        .hasMessageContaining("no single GPU has 20 free nvidia.com/mps-core");
  }

  @Test
  void podsThatEndedWhileTheAgentWasDownAreReleasedAtStart() throws Exception {
    PodRef stays = node.pod("stays", Map.of(), new int[] {50, 8});
    PodRef goes = node.pod("goes", Map.of(), new int[] {50, 8});
    node.admit(stays, 0, 50, 8, false);
    node.admit(goes, 0, 50, 8, false);

    node.stopAgent();
    node.end(goes);
    node.startAgent();

    assertThat(node.cards.ledger().grants())
        .extracting(g -> g.container().pod())
        .containsExactly("stays");
  }

  @Test
  void aLostCheckpointIsRebuiltFromThePodsAnnotations() throws Exception {
    node.admit(node.pod("first", Map.of(), new int[] {60, 16}), 0, 60, 16, false);
    node.admit(node.pod("second", Map.of(), new int[] {30, 4}), 0, 30, 4, true);
    List<Grant> before = node.cards.ledger().grants();

    node.stopAgent();
    Files.delete(node.root.resolve("state/checkpoint.json"));
    node.startAgent();

    assertThat(node.cards.ledger().grants())
        .extracting(g -> g.container().pod() + ":" + g.shares())
        .containsExactlyInAnyOrderElementsOf(
            before.stream().map(g -> g.container().pod() + ":" + g.shares()).toList());
  }
}
