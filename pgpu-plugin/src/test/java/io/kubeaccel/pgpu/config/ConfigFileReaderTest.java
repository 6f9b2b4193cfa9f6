package io.kubeaccel.pgpu.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.pgpu.config.TimeSlicing.ReplicaDevices;
import io.kubeaccel.pgpu.config.TimeSlicing.ReplicatedResource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileReaderTest {

  @TempDir
  Path dir;

  private Path write(String yaml) throws IOException {
    return Files.writeString(dir.resolve("config.yaml"), yaml);
  }

  @Test
  void nvidiasFullExampleIsReadWithEveryValue() throws IOException {
    Path file = write("""
        version: v1
        flags:
          migStrategy: mixed
          failOnInitError: false
          plugin:
            passDeviceSpecs: true
            deviceListStrategy: [volume-mounts, cdi-cri]
            deviceIDStrategy: index
            cdiAnnotationPrefix: cdi.example.com/
            sharedDevicesAllocationPolicy: packed
        sharing:
          timeSlicing:
            renameByDefault: true
            failRequestsGreaterThanOne: true
            resources:
            - name: nvidia.com/gpu
              replicas: 4
              devices: [0, "GPU-8f6e0c3a-1b2c-4d5e-8f90-123456789abc"]
            - name: nvidia.com/mig-1g.5gb
              rename: nvidia.com/small
              replicas: 2
              devices: 3
        """);
    ConfigFileValues values = ConfigFileReader.read(file);
    assertThat(values.migStrategy()).isEqualTo(MigStrategy.MIXED);
    assertThat(values.failOnInitError()).isFalse();
    assertThat(values.passDeviceSpecs()).isTrue();
    assertThat(values.deviceListStrategies())
        .containsExactly(DeviceListStrategy.VOLUME_MOUNTS, DeviceListStrategy.CDI_CRI);
    assertThat(values.deviceIdStrategy()).isEqualTo(DeviceIdStrategy.INDEX);
    assertThat(values.cdiAnnotationPrefix()).isEqualTo("cdi.example.com/");
    assertThat(values.sharedAllocationPolicy()).isEqualTo(SharedAllocationPolicy.PACKED);
    TimeSlicing slicing = values.timeSlicing();
    assertThat(slicing.renameByDefault()).isTrue();
    assertThat(slicing.failRequestsGreaterThanOne()).isTrue();
    assertThat(slicing.resources())
        .containsExactly(
            new ReplicatedResource(
                "nvidia.com/gpu",
                null,
                new ReplicaDevices.Listed(List.of("0", "GPU-8f6e0c3a-1b2c-4d5e-8f90-123456789abc")),
                4),
            new ReplicatedResource(
                "nvidia.com/mig-1g.5gb", "nvidia.com/small", new ReplicaDevices.Count(3), 2));
    assertThat(slicing.servedName(slicing.resources().get(0))).isEqualTo("nvidia.com/gpu.shared");
    assertThat(slicing.servedName(slicing.resources().get(1))).isEqualTo("nvidia.com/small");
    assertThat(values.warnings()).isEmpty();
  }

  @Test
  void aSingleStrategyStringAndOmittedDevicesMeanOneStrategyAndAllDevices() throws IOException {
    ConfigFileValues values = ConfigFileReader.read(write("""
        version: v1
        flags: {plugin: {deviceListStrategy: envvar}}
        sharing: {timeSlicing: {resources: [{name: nvidia.com/gpu, replicas: 2}]}}
        """));
    assertThat(values.deviceListStrategies()).containsExactly(DeviceListStrategy.ENVVAR);
    assertThat(values.timeSlicing().resources().get(0).devices())
        .isEqualTo(new ReplicaDevices.All());
    assertThat(values.migStrategy()).isNull();
  }

  @Test
  void keysNvidiasPluginKnowsAreAcceptedWithAWarningNamingTheLine() throws IOException {
    ConfigFileValues values = ConfigFileReader.read(write("""
        version: v1
        flags:
          gdsEnabled: false
          plugin:
            nvidiaCTKPath: /usr/bin/nvidia-ctk
        """));
    assertThat(values.warnings())
        .containsExactly(
            dir.resolve("config.yaml")
                + ":3: flags.gdsEnabled: accepted for compatibility, has no effect here",
            dir.resolve("config.yaml")
                + ":5: flags.plugin.nvidiaCTKPath: accepted for compatibility, has no effect"
                + " here");
  }

  @Test
  void everyProblemNamesFileLineKeyPathAndWhatIsAllowed() throws IOException {
    String file = dir.resolve("config.yaml").toString();
    expectError("version: v2\n", file + ":1: version: unsupported; this agent reads version: v1");
    expectError("flags: {}\n", file + ":1: version: missing");
    expectError(
        "version: v1\nflags:\n  migStrategie: single\n",
        file + ":3: flags.migStrategie: unknown key; allowed here: failOnInitError,");
    expectError(
        "version: v1\nflags:\n  migStrategy: double\n",
        file + ":3: flags.migStrategy: \"double\" is not one of: none, single, mixed");
    expectError(
        "version: v1\nflags:\n  plugin:\n    passDeviceSpecs: maybe\n",
        file + ":4: flags.plugin.passDeviceSpecs: expected true or false, got \"maybe\"");
    expectError(
        "version: v1\nflags:\n  plugin:\n    deviceListStrategy: [envvar, envvar]\n",
        file + ":4: flags.plugin.deviceListStrategy: \"envvar\" given twice");
    expectError(
        "version: v1\nsharing:\n  timeSlicing:\n    resources:\n    - name: nvidia.com/gpu\n      replicas: 1\n",
        file + ":6: sharing.timeSlicing.resources[0].replicas: must be at least 2, got 1");
    expectError(
        "version: v1\nsharing:\n  timeSlicing:\n    resources:\n    - name: gpu\n      replicas: 2\n",
        file
            + ":5: sharing.timeSlicing.resources[0].name: \"gpu\" is not a resource name under nvidia.com/");
    expectError(
        "version: v1\nsharing:\n  timeSlicing:\n    resources:\n    - name: nvidia.com/gpu\n      replicas: 2\n"
            + "      devices: [zero]\n",
        file + ":7: sharing.timeSlicing.resources[0].devices: \"zero\" is not a GPU index");
    expectError(
        "version: v1\nsharing:\n  mps:\n    resources: []\n",
        file + ":4: sharing.mps: MPS sharing is a node mode of its own here");
    expectError("version: v1\nflags: [\n", file + ":3: not valid YAML");
    expectError("version: v1\nversion: v1\n", file + ":2: version: given twice");
  }

  @Test
  void anEmptyOrOversizedFileIsRefused() throws IOException {
    expectError("", dir.resolve("config.yaml") + ": empty");
    Files.writeString(dir.resolve("config.yaml"), "#".repeat(300_000));
    assertThatThrownBy(() -> ConfigFileReader.read(dir.resolve("config.yaml")))
        .hasMessageContaining("larger than 262144 bytes");
    assertThatThrownBy(() -> ConfigFileReader.read(dir.resolve("absent.yaml")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("absent.yaml: cannot read");
  }

  private void expectError(String yaml, String message) throws IOException {
    Path file = write(yaml);
    assertThatThrownBy(() -> ConfigFileReader.read(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(message);
  }
}
