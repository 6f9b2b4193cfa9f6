package io.kubeaccel.core.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthPolicyTest {

  @Test
  void applicationXidsAreIgnoredByDefaultAndCardFaultsAreNot() {
    HealthPolicy policy = HealthPolicy.fromEnvironment(Map.of());
    assertThat(policy.enabled()).isTrue();
    for (int xid : new int[] {13, 31, 43, 45, 68, 109}) {
      assertThat(policy.ignores(xid)).as("XID %d", xid).isTrue();
    }
    assertThat(policy.ignores(79)).isFalse();
    assertThat(policy.ignores(48)).isFalse();
  }

  @Test
  void disableAllTurnsMonitoringOff() {
    assertThat(HealthPolicy.fromEnvironment(Map.of("DP_DISABLE_HEALTHCHECKS", "all"))
            .enabled())
        .isFalse();
  }

  @Test
  void disableXidsIgnoresEveryXid() {
    HealthPolicy policy = HealthPolicy.fromEnvironment(Map.of("DP_DISABLE_HEALTHCHECKS", "xids"));
    assertThat(policy.enabled()).isTrue();
    assertThat(policy.ignores(79)).isTrue();
  }

  @Test
  void aListOfXidsIsIgnoredOnTopOfTheDefaults() {
    HealthPolicy policy = HealthPolicy.fromEnvironment(Map.of("DP_DISABLE_HEALTHCHECKS", "79, 94"));
    assertThat(policy.ignores(79)).isTrue();
    assertThat(policy.ignores(94)).isTrue();
    assertThat(policy.ignores(13)).isTrue();
    assertThat(policy.ignores(48)).isFalse();
  }

  @Test
  void enableTakesXidsOutOfTheIgnoredSet() {
    HealthPolicy policy = HealthPolicy.fromEnvironment(Map.of("DP_ENABLE_HEALTHCHECKS", "13,31"));
    assertThat(policy.ignores(13)).isFalse();
    assertThat(policy.ignores(31)).isFalse();
    assertThat(policy.ignores(43)).isTrue();
    assertThat(HealthPolicy.fromEnvironment(Map.of("DP_ENABLE_HEALTHCHECKS", "all"))
            .ignoredXids())
        .isEmpty();
  }

  @Test
  void aMalformedValueIsRejectedNamingTheVariableAndTheToken() {
    assertThatThrownBy(
            () -> HealthPolicy.fromEnvironment(Map.of("DP_DISABLE_HEALTHCHECKS", "13,abc")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DP_DISABLE_HEALTHCHECKS")
        .hasMessageContaining("\"abc\"");
    assertThatThrownBy(() -> HealthPolicy.fromEnvironment(Map.of("DP_ENABLE_HEALTHCHECKS", "-4")))
        .hasMessageContaining("DP_ENABLE_HEALTHCHECKS");
  }
}
