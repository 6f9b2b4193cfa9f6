package io.kubeaccel.agent;

import io.kubeaccel.core.AgentSettings;
import io.kubeaccel.core.health.HealthPolicy;
import io.kubeaccel.core.inventory.DeviceNodes;
import io.kubeaccel.core.server.HostSettings;
import io.kubeaccel.nvml.fake.FakeGpu;
import io.kubeaccel.nvml.fake.FakeNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A node that exists only in a temporary directory: the fake NVML library with a preset inventory, a fake sysfs, fake
 * {@code /dev} entries, and the kubelet's device-plugin directory. The agent runs on it unchanged: NVML is loaded
 * through the production JNA path, sockets are real unix sockets.
 */
final class SimulatedNode implements AutoCloseable {

  private final Path root;
  private final FakeNode nvml;

  private SimulatedNode(Path root, FakeNode nvml) {
    this.root = root;
    this.nvml = nvml;
  }

  /** Creates the node under a fresh directory in /tmp (short, because unix socket paths are limited to 107 bytes). */
  static SimulatedNode create(NodePreset preset) throws IOException {
    Path root = Files.createTempDirectory(Path.of("/tmp"), "kubeaccel-");
    FakeNode nvml = FakeNode.create(root.resolve("nvml"), preset.inventory());
    Path dev = root.resolve("host/dev");
    Files.createDirectories(dev);
    for (String control : DeviceNodes.CONTROL_NODES) {
      if (!control.equals(
          "nvidia-modeset")) { // absent on compute-only nodes: shows that only present nodes pass
        Files.createFile(dev.resolve(control));
      }
    }
    for (FakeGpu gpu : nvml.inventory().gpus()) {
      Files.createFile(dev.resolve("nvidia" + gpu.minor()));
    }
    writeMigMinors(
        root.resolve("host/proc/driver/nvidia-caps"), nvml.inventory().gpus());
    Files.createDirectories(root.resolve("device-plugins"));
    return new SimulatedNode(root, nvml);
  }

  /**
   * The driver's list of MIG capability device minors, as {@code /proc/driver/nvidia-caps/mig-minors} has it, with
   * the capability nodes under {@code dev/nvidia-caps}.
   */
  private static void writeMigMinors(Path dir, List<FakeGpu> gpus) throws IOException {
    Files.createDirectories(dir);
    StringBuilder minors = new StringBuilder("config 1\nmonitor 2\n");
    int next = 3;
    for (FakeGpu gpu : gpus) {
      for (int gi = 0; gi < 8; gi++) {
        minors
            .append("gpu")
            .append(gpu.minor())
            .append("/gi")
            .append(gi)
            .append("/access ")
            .append(next++)
            .append('\n');
        for (int ci = 0; ci < 8; ci++) {
          minors
              .append("gpu")
              .append(gpu.minor())
              .append("/gi")
              .append(gi)
              .append("/ci")
              .append(ci)
              .append("/access ")
              .append(next++)
              .append('\n');
        }
      }
    }
    Files.writeString(dir.resolve("mig-minors"), minors);
  }

  FakeNode nvml() {
    return nvml;
  }

  Path deviceDir() {
    return root.resolve("device-plugins");
  }

  /** The node's directory: everything the simulation writes lives under it. */
  Path root() {
    return root;
  }

  /** Stands in for the host's root filesystem: its dev/ holds the fake device nodes. */
  Path hostRoot() {
    return root.resolve("host");
  }

  /** Agent settings pointing every path at this node. */
  AgentSettings agentSettings() {
    return new AgentSettings(
        nvml.libraryPath(),
        nvml.sysfsRoot(),
        HostSettings.defaults(deviceDir()),
        HealthPolicy.defaults(),
        true,
        Duration.ofSeconds(1));
  }

  /** The arguments that make a separate {@code kubeaccel pgpu} process run on this node. */
  List<String> agentArguments() {
    return List.of(
        "--device-plugin-dir", deviceDir().toString(),
        "--nvml-library-dir", nvml.directory().toString(),
        "--sys-root", nvml.sysfsRoot().toString(),
        "--dev-root", hostRoot().toString(),
        "--proc-root", hostRoot().resolve("proc").toString());
  }

  /** Removes the node's directory. */
  @Override
  public void close() throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
