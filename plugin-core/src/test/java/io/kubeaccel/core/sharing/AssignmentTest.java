package io.kubeaccel.core.sharing;

import static io.kubeaccel.core.sharing.PublishedCardTest.VGPU;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AssignmentTest {

  @Test
  void writesGpuManagersAnnotations() {
    Assignment assignment = new Assignment(
        "node-a", 1_700_000_000_123_456_789L, false, Map.of(0, List.of(1), 2, List.of(0, 3)));

    assertThat(assignment.annotations(VGPU))
        .containsExactly(
            Map.entry("tencent.com/predicate-gpu-idx-0", "1"),
            Map.entry("tencent.com/predicate-gpu-idx-2", "0,3"),
            Map.entry("tencent.com/predicate-node", "node-a"),
            Map.entry("tencent.com/predicate-time", "1700000000123456789"),
            Map.entry("tencent.com/gpu-assigned", "false"));
  }

  @Test
  void readsWhatItWritesAndIgnoresOtherAnnotations() {
    Assignment written = new Assignment("n", 42, true, Map.of(1, List.of(2, 3)));
    Map<String, String> annotations = new java.util.HashMap<>(written.annotations(VGPU));
    annotations.put("mps.kubeaccel.io/predicate-gpu-idx-0", "7");
    annotations.put("tencent.com/predicate-gpu-idx-x", "1");

    assertThat(Assignment.read(VGPU, annotations)).contains(written);
  }

  @Test
  void absentAnnotationsAreNoAssignmentAndMalformedIndexesAreDropped() {
    assertThat(Assignment.read(VGPU, Map.of("other", "x"))).isEmpty();
    assertThat(Assignment.read(VGPU, null)).isEmpty();
    assertThat(Assignment.read(VGPU, Map.of("tencent.com/predicate-gpu-idx-0", "0,a")))
        .isEmpty();
    assertThat(Assignment.cardIndexes(" 0, 1")).containsExactly(0, 1);
    assertThat(Assignment.cardIndexes("1,1")).isEmpty();
    assertThat(Assignment.cardIndexes("-1")).isEmpty();
  }
}
