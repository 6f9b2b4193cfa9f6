package io.kubeaccel.core.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JsonPatchTest {

  private final KubernetesSerialization json = new KubernetesSerialization();

  @Test
  void keysWithSlashesAndTildesAreEscapedAsJsonPointers() {
    assertThat(JsonPatch.escape("nvidia.com/gpu.product")).isEqualTo("nvidia.com~1gpu.product");
    assertThat(JsonPatch.escape("a~b/c")).isEqualTo("a~0b~1c");
  }

  @Test
  void onlyChangedKeysAreAddedAndOnlyPresentKeysRemoved() {
    JsonPatch patch = new JsonPatch()
        .updateMap(
            "/metadata/labels",
            Map.of("keep", "1", "same", "x", "gone", "y"),
            Map.of("same", "x", "nvidia.com/gpu.count", "4"),
            Set.of("gone", "never-there"),
            "42");

    assertThat(patch.toJson(json))
        .isEqualTo(
            "[{\"op\":\"add\",\"path\":\"/metadata/labels/nvidia.com~1gpu.count\",\"value\":\"4\"},"
                + "{\"op\":\"remove\",\"path\":\"/metadata/labels/gone\"}]");
  }

  @Test
  void anAbsentMapIsWrittenWholeGuardedByTheResourceVersion() {
    JsonPatch patch = new JsonPatch()
        .updateMap("/metadata/annotations", null, Map.of("a", "1"), Set.of("b"), "42");

    assertThat(patch.toJson(json))
        .isEqualTo("[{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\"42\"},"
            + "{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"a\":\"1\"}}]");
  }

  @Test
  void aPatchOfGuardsAloneChangesNothing() {
    JsonPatch patch = new JsonPatch()
        .test("/metadata/uid", "u1")
        .updateMap("/metadata/annotations", Map.of("a", "1"), Map.of("a", "1"), Set.of(), "42");

    assertThat(patch.changesNothing()).isTrue();
  }
}
