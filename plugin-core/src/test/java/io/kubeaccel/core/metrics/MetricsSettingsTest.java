package io.kubeaccel.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.nvml.NvmlLibraryPath;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsSettingsTest {

  @Test
  void addressesNameAPortOnEveryInterfaceOrOneHost() {
    assertThat(MetricsSettings.parseAddress(":9400")).contains(new InetSocketAddress(9400));
    assertThat(MetricsSettings.parseAddress("127.0.0.1:9500"))
        .contains(new InetSocketAddress("127.0.0.1", 9500));
    assertThat(MetricsSettings.parseAddress("[::1]:0")).contains(new InetSocketAddress("::1", 0));
    assertThat(MetricsSettings.parseAddress(MetricsSettings.DEFAULT_ADDRESS)).isPresent();
  }

  @Test
  void offTurnsMetricsOff() {
    assertThat(MetricsSettings.parseAddress("off")).isEmpty();
    assertThat(MetricsSettings.parseAddress("OFF")).isEmpty();
  }

  @Test
  void malformedAddressesAreRefusedNamingTheForm() {
    for (String bad : List.of("9400", "localhost", ":99999", "host:port", "::1:9400", "")) {
      assertThatThrownBy(() -> MetricsSettings.parseAddress(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("metrics address");
    }
  }

  @Test
  void intervalsHaveAUnitAndAFloor() {
    assertThat(MetricsSettings.parseInterval("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(MetricsSettings.parseInterval("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(MetricsSettings.parseInterval("2m")).isEqualTo(Duration.ofMinutes(2));
    for (String bad : List.of("10", "1h", "-5s", "10 s", "50ms")) {
      assertThatThrownBy(() -> MetricsSettings.parseInterval(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("metrics interval");
    }
    assertThatThrownBy(() -> new MetricsSettings(
            java.util.Optional.empty(),
            Duration.ofMillis(10),
            Path.of("/proc"),
            NvmlLibraryPath.only(Path.of("/x"))))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
