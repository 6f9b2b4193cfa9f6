package io.kubeaccel.pgpu.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgpuConfigResolverTest {

  @TempDir
  Path dir;

  private static PgpuConfigResolver.Flags flags(String migStrategy, Path configFile) {
    return new PgpuConfigResolver.Flags(
        migStrategy, null, null, null, null, null, null, configFile);
  }

  private Path file() throws IOException {
    return Files.writeString(
        dir.resolve("config.yaml"),
        "version: v1\nflags:\n  migStrategy: mixed\n  plugin:\n    deviceIDStrategy: index\n");
  }

  @Test
  void withNothingGivenNvidiasDefaultsApply() {
    assertThat(
            PgpuConfigResolver.resolve(PgpuConfigResolver.Flags.NONE, Map.of()).config())
        .isEqualTo(PgpuConfig.defaults());
  }

  @Test
  void aFlagWinsOverItsVariableWhichWinsOverTheFile() throws IOException {
    Path file = file();
    assertThat(PgpuConfigResolver.resolve(flags(null, file), Map.of()).config().migStrategy())
        .isEqualTo(MigStrategy.MIXED);
    assertThat(PgpuConfigResolver.resolve(flags(null, file), Map.of("MIG_STRATEGY", "single"))
            .config()
            .migStrategy())
        .isEqualTo(MigStrategy.SINGLE);
    assertThat(PgpuConfigResolver.resolve(flags("none", file), Map.of("MIG_STRATEGY", "single"))
            .config()
            .migStrategy())
        .isEqualTo(MigStrategy.NONE);
    assertThat(
            PgpuConfigResolver.resolve(flags("none", file), Map.of()).config().deviceIdStrategy())
        .as("what neither flag nor variable sets still comes from the file")
        .isEqualTo(DeviceIdStrategy.INDEX);
  }

  @Test
  void theConfigFileCanComeFromTheEnvironment() throws IOException {
    Path file = file();
    PgpuConfigResolver.Resolved resolved = PgpuConfigResolver.resolve(
        PgpuConfigResolver.Flags.NONE, Map.of("CONFIG_FILE", file.toString()));
    assertThat(resolved.configFile()).isEqualTo(file);
    assertThat(resolved.config().migStrategy()).isEqualTo(MigStrategy.MIXED);
  }

  @Test
  void listStrategiesMayBeRepeatedOrCommaSeparatedAndBooleansReadAsGoReadsThem() {
    PgpuConfigResolver.Flags flags = new PgpuConfigResolver.Flags(
        null, false, true, List.of("envvar,cdi-annotations", "cdi-cri"), null, null, null, null);
    PgpuConfig config =
        PgpuConfigResolver.resolve(flags, Map.of("PASS_DEVICE_SPECS", "0")).config();
    assertThat(config.deviceListStrategies())
        .containsExactly(
            DeviceListStrategy.ENVVAR,
            DeviceListStrategy.CDI_ANNOTATIONS,
            DeviceListStrategy.CDI_CRI);
    assertThat(config.passDeviceSpecs()).isTrue();
    assertThat(config.failOnInitError()).isFalse();
    assertThat(PgpuConfigResolver.resolve(
                PgpuConfigResolver.Flags.NONE, Map.of("FAIL_ON_INIT_ERROR", "F"))
            .config()
            .failOnInitError())
        .isFalse();
  }

  @Test
  void aBadValueNamesTheFlagOrVariableItCameFrom() {
    assertThatThrownBy(() -> PgpuConfigResolver.resolve(flags("double", null), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--mig-strategy: \"double\" is not one of: none, single, mixed");
    assertThatThrownBy(() -> PgpuConfigResolver.resolve(
            PgpuConfigResolver.Flags.NONE, Map.of("DEVICE_LIST_STRATEGY", "envvar,mounts")))
        .hasMessage(
            "environment variable DEVICE_LIST_STRATEGY: \"mounts\" is not one of: envvar, volume-mounts,"
                + " cdi-annotations, cdi-cri");
    assertThatThrownBy(() -> PgpuConfigResolver.resolve(
            PgpuConfigResolver.Flags.NONE, Map.of("PASS_DEVICE_SPECS", "yes")))
        .hasMessage("environment variable PASS_DEVICE_SPECS: \"yes\" is not true or false");
    assertThatThrownBy(() -> PgpuConfigResolver.resolve(
            PgpuConfigResolver.Flags.NONE, Map.of("CDI_ANNOTATION_PREFIX", "cdi")))
        .hasMessageContaining("is not an annotation key prefix such as cdi.k8s.io/");
  }
}
