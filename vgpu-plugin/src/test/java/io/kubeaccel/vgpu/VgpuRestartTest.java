package io.kubeaccel.vgpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.core.kube.PodRef;
import io.kubeaccel.core.ledger.Grant;
import io.kubeaccel.nvml.fake.FakeInventory;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ledger survives agent restarts and is reconciled with the kubelet's PodResources. */
class VgpuRestartTest {

  private VgpuNode node;

  @BeforeEach
  void start() throws Exception {
    node = new VgpuNode(FakeInventory.fourGpusTwoNumaNvlinkPairs(), VgpuOptions.defaults())
        .startAgent();
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  @Test
  void aRestartedAgentKeepsEveryGrantAndNewSharesRespectThem() throws Exception {
    for (int i = 0; i < 4; i++) {
      node.admit(node.pod("keep" + i, Map.of(), new int[] {90, 16}), 0, 90, 16, i % 2 == 0);
    }
    List<Grant> before = node.cards.ledger().grants();

    node.stopAgent();
    node.startAgent();

    assertThat(node.cards.ledger().grants()).isEqualTo(before);
    PodRef late = node.pod("late", Map.of(), new int[] {20, 16});
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> node.admit(late, 0, 20, 16, false))
        .hasMessageContaining("no single GPU has 20 free");
  }

  @Test
  void podsThatEndedWhileTheAgentWasDownAreReleasedAtStart() throws Exception {
    PodRef stays = node.pod("stays", Map.of(), new int[] {50, 16});
    PodRef goes = node.pod("goes", Map.of(), new int[] {50, 16});
    node.admit(stays, 0, 50, 16, false);
    node.admit(goes, 0, 50, 16, false);

    node.stopAgent();
    node.kubelet.release(goes.uid());
    node.api.delete(goes.uid());
    node.startAgent();

    assertThat(node.cards.ledger().grants())
        .extracting(g -> g.container().pod())
        .containsExactly("stays");
  }

  @Test
  void aLostCheckpointIsRebuiltFromThePodsAnnotations() throws Exception {
    PodRef first = node.pod("first", Map.of(), new int[] {60, 32});
    PodRef second = node.pod("second", Map.of(), new int[] {200, 0});
    node.admit(first, 0, 60, 32, false);
    node.admit(second, 0, 200, 0, false);
    List<Grant> before = node.cards.ledger().grants();

    node.stopAgent();
    Files.delete(node.root.resolve("state/checkpoint.json"));
    node.startAgent();

    assertThat(node.cards.ledger().grants())
        .extracting(g -> g.container().pod() + ":" + g.shares())
        .containsExactlyInAnyOrderElementsOf(
            before.stream().map(g -> g.container().pod() + ":" + g.shares()).toList());
  }

  @Test
  void theNodeAnnotationShowsEachCardsCapacityAndUse() throws Exception {
    node.admit(node.pod("use", Map.of(), new int[] {40, 20}), 0, 40, 20, false);
    String json = node.api.nodeAnnotations().get("kubeaccel.io/gpus");
    assertThat(json)
        .contains("\"cores\":100")
        .contains("\"memoryUnits\":160")
        .contains("\"usedCores\":40")
        .contains("\"usedMemoryUnits\":20")
        .contains("\"mode\":\"vgpu\"")
        .contains("\"health\":\"Healthy\"");
  }
}
