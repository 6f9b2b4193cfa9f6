package io.kubeaccel.core.server;

import io.kubeaccel.core.AgentRuntime;
import io.kubeaccel.core.AgentSettings;
import io.kubeaccel.core.health.HealthPolicy;
import io.kubeaccel.core.spi.ModePlugin;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeNode;
import io.kubeaccel.testkit.KubeletStandIn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One test's node: a fake NVML, a kubelet stand-in and the agent runtime, in a short directory of its own under /tmp
 * (unix socket paths are limited to 107 bytes, JUnit's temp dirs can be longer).
 */
final class NodeFixture implements AutoCloseable {

  final Path root;
  final FakeNode nvml;
  final Path deviceDir;
  KubeletStandIn kubelet;
  AgentRuntime agent;
  HealthPolicy healthPolicy = HealthPolicy.defaults();

  NodeFixture(FakeInventory inventory) throws IOException {
    root = Files.createTempDirectory(Path.of("/tmp"), "kac-");
    nvml = FakeNode.create(root.resolve("nvml"), inventory);
    deviceDir = Files.createDirectories(root.resolve("dp"));
  }

  NodeFixture withKubelet() throws IOException {
    kubelet = KubeletStandIn.start(deviceDir);
    return this;
  }

  AgentSettings settings(boolean failOnInitError) {
    return new AgentSettings(
        nvml.libraryPath(),
        nvml.sysfsRoot(),
        new HostSettings(
            deviceDir, Duration.ofSeconds(5), Duration.ofSeconds(1), 5, Duration.ofHours(1)),
        healthPolicy,
        failOnInitError,
        Duration.ofMillis(100));
  }

  AgentRuntime startAgent(ModePlugin... plugins) throws IOException {
    agent = AgentRuntime.start(
        settings(true), inventory -> List.of(plugins), AllocationObserver.NONE, Clock.systemUTC());
    return agent;
  }

  Path socket(String resource) {
    return deviceDir.resolve(HostSettings.socketName(resource));
  }

  @Override
  public void close() throws IOException {
    if (agent != null) {
      agent.close();
    }
    if (kubelet != null) {
      kubelet.close();
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
