package io.kubeaccel.core.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubeSettingsTest {

  @Test
  void nodeNameComesFromTheEnvironmentWithDefaultsForTheRest() {
    KubeSettings settings = KubeSettings.fromEnvironment(Map.of("NODE_NAME", "gpu-node-7"));

    assertThat(settings.nodeName()).isEqualTo("gpu-node-7");
    assertThat(settings.kubeconfig()).isNull();
    assertThat(settings.resync()).isEqualTo(KubeSettings.DEFAULT_RESYNC);
    assertThat(settings.minPublishInterval()).isEqualTo(KubeSettings.DEFAULT_MIN_PUBLISH_INTERVAL);
  }

  @Test
  void aMissingOrBlankNodeNameIsRefusedByName() {
    assertThatThrownBy(() -> KubeSettings.fromEnvironment(Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NODE_NAME");
    assertThatThrownBy(() -> KubeSettings.fromEnvironment(Map.of("NODE_NAME", "  ")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NODE_NAME");
  }

  @Test
  void kubeconfigIsTakenWhenSetAndMustNameOneFile() {
    KubeSettings settings = KubeSettings.fromEnvironment(
        Map.of("NODE_NAME", "n1", "KUBECONFIG", "/etc/kubeaccel/kubeconfig"));
    assertThat(settings.kubeconfig()).isEqualTo(Path.of("/etc/kubeaccel/kubeconfig"));

    assertThatThrownBy(
            () -> KubeSettings.fromEnvironment(Map.of("NODE_NAME", "n1", "KUBECONFIG", "/a:/b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("KUBECONFIG");
  }

  @Test
  void negativeDurationsAreRefused() {
    assertThatThrownBy(() -> new KubeSettings("n1", null, Duration.ofSeconds(-1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
