package io.kubeaccel.core.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.kube.InMemoryNodeApi;
import io.kubeaccel.core.kube.NodeMetadataParts;
import io.kubeaccel.core.sharing.CapacityPublisher;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NodeLabelsTest {

  @Test
  void labelsNameTheProductCountMemoryCapabilityCudaVersionAndMode() {
    assertThat(NodeLabels.of("vgpu", Cards.h100s(8, false)))
        .containsExactlyInAnyOrderEntriesOf(Map.of(
            "nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3",
            "nvidia.com/gpu.count", "8",
            "nvidia.com/gpu.memory", "81559",
            "nvidia.com/gpu.compute.major", "9",
            "nvidia.com/gpu.compute.minor", "0",
            "cuda-major-version", "12",
            "cuda-minor-version", "4",
            "kubeaccel.io/mode", "vgpu"));
  }

  @Test
  void withoutCardsOnlyTheModeRemains() {
    assertThat(NodeLabels.of("pgpu", Inventory.unavailable("no driver")))
        .containsExactlyEntriesOf(Map.of("kubeaccel.io/mode", "pgpu"));
  }

  @Test
  void productNamesBecomeValidLabelValues() {
    assertThat(NodeLabels.labelValue("Tesla V100-SXM2-16GB")).isEqualTo("Tesla-V100-SXM2-16GB");
    assertThat(NodeLabels.labelValue(" NVIDIA A100 (PCIe) ")).isEqualTo("NVIDIA-A100-PCIe");
    assertThat(NodeLabels.labelValue("x".repeat(80))).hasSize(63);
  }

  @Test
  void labelsAreAddedUpdatedAndRemovedAlongsideOtherPartsWithoutTouchingForeignKeys() {
    InMemoryNodeApi api = new InMemoryNodeApi();
    api.publish(Set.of("team"), Map.of("team", "ml"), Map.of()); // someone else's label
    NodeMetadataParts parts = new NodeMetadataParts(api);
    NodeLabels labels = new NodeLabels("vgpu", parts.part("labels"));
    parts
        .part("capacity")
        .publish(Set.of("kubeaccel.io/gpus"), Map.of(), Map.of("kubeaccel.io/gpus", "[]"));

    labels.publish(Cards.h100s(2, false));
    assertThat(api.nodeLabels())
        .containsEntry("nvidia.com/gpu.count", "2")
        .containsEntry("team", "ml");
    assertThat(api.nodeAnnotations()).containsEntry("kubeaccel.io/gpus", "[]");

    labels.publish(Cards.h100s(4, false));
    assertThat(api.nodeLabels()).containsEntry("nvidia.com/gpu.count", "4");

    labels.publish(Inventory.unavailable("driver gone"));
    assertThat(api.nodeLabels())
        .doesNotContainKey("nvidia.com/gpu.count")
        .containsEntry("team", "ml")
        .containsEntry("kubeaccel.io/mode", "vgpu");
    assertThat(api.nodeAnnotations()).containsEntry("kubeaccel.io/gpus", "[]");
  }

  @Test
  void aWholeCardAgentWithdrawsTheCapacityASharedModeLeftBehind() {
    InMemoryNodeApi api = new InMemoryNodeApi();
    api.publish(
        Set.of("kubeaccel.io/gpus", "team"),
        Map.of("team", "ml"),
        Map.of("kubeaccel.io/gpus", "[{\"mode\":\"vgpu\"}]"));

    CapacityPublisher.withdraw(new NodeMetadataParts(api).part("capacity"));

    assertThat(api.nodeAnnotations()).doesNotContainKey("kubeaccel.io/gpus");
    assertThat(api.nodeLabels()).containsEntry("team", "ml");
  }

  @Test
  void twoPartsCannotOwnOneKey() {
    NodeMetadataParts parts = new NodeMetadataParts(new InMemoryNodeApi());
    parts.part("a").publish(Set.of("k"), Map.of("k", "1"), Map.of());
    assertThatThrownBy(() -> parts.part("b").publish(Set.of("k"), Map.of("k", "2"), Map.of()))
        .hasMessageContaining("belong to part a");
  }
}
