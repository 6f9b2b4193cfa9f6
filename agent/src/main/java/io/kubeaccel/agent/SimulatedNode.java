package io.kubeaccel.agent;

import io.kubeaccel.core.AgentSettings;
import io.kubeaccel.core.health.HealthPolicy;
import io.kubeaccel.core.inventory.DeviceNodes;
import io.kubeaccel.core.server.HostSettings;
import io.kubeaccel.nvml.fake.FakeGpu;
import io.kubeaccel.nvml.fake.FakeNode;
import io.kubeaccel.testkit.FakeMpsControl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A node that exists only in a directory, laid out as the Helm chart's simulate form mounts it at {@code /simulated}:
 *
 * <ul>
 *   <li>{@code nvml/}: the fake {@code libnvidia-ml.so.1} with the preset's {@code inventory.json}, and {@code
 *       nvml/sys/} its fake sysfs;
 *   <li>{@code host/dev/}: fake NVIDIA device nodes; {@code host/proc/driver/nvidia-caps/mig-minors};
 *   <li>{@code bin/nvidia-cuda-mps-control}: the fake MPS control program;
 *   <li>{@value #MARKER}: says that the directory holds a simulated node (and which preset), so that a later {@link
 *       #createAt} may replace it.
 * </ul>
 *
 * <p>An agent runs on it unchanged, given {@link #agentArguments()}: NVML is loaded through the production JNA path,
 * sockets are real unix sockets. Nodes made by {@link #create} also have {@code device-plugins/}, the directory of an
 * in-process kubelet stand-in.
 */
final class SimulatedNode implements AutoCloseable {

  /** Written first into a node's directory: it marks the directory as one {@link #createAt} may overwrite. */
  static final String MARKER = ".kubeaccel-simulated-node";

  /** What {@link #createAt} writes (besides the marker), so what it removes when it replaces a node. */
  private static final Set<String> OWN_ENTRIES = Set.of("nvml", "host", "bin", "device-plugins");

  private final Path root;
  private final FakeNode nvml;

  private SimulatedNode(Path root, FakeNode nvml) {
    this.root = root;
    this.nvml = nvml;
  }

  /**
   * Creates the node under a fresh directory in /tmp (short, because unix socket paths are limited to 107 bytes),
   * with a {@code device-plugins/} directory for a kubelet stand-in.
   */
  static SimulatedNode create(NodePreset preset) throws IOException {
    SimulatedNode node = createAt(Files.createTempDirectory(Path.of("/tmp"), "kubeaccel-"), preset);
    Files.createDirectories(node.deviceDir());
    return node;
  }

  /**
   * Writes the node into {@code dir}: a directory that is absent, empty, or holds a simulated node already (which is
   * replaced: its own entries are removed first, anything else in it is left alone).
   *
   * @throws IllegalArgumentException before anything is written, when {@code dir} is not a directory, cannot be
   *     written, or holds files that are not a simulated node's
   * @throws IOException when writing fails part way
   */
  static SimulatedNode createAt(Path dir, NodePreset preset) throws IOException {
    Path root = dir.toAbsolutePath().normalize();
    checkUsable(root);
    Files.createDirectories(root);
    // The marker first: a run that fails part way leaves a directory the next run may replace.
    Files.writeString(root.resolve(MARKER), "preset=" + preset + "\n", StandardCharsets.UTF_8);
    for (String entry : OWN_ENTRIES) {
      deleteTree(root.resolve(entry));
    }
    FakeNode nvml = FakeNode.create(root.resolve("nvml"), preset.inventory());
    Path dev = root.resolve("host/dev");
    Files.createDirectories(dev);
    for (String control : DeviceNodes.CONTROL_NODES) {
      // nvidia-modeset is absent on compute-only nodes: shows that only present nodes are passed
      if (!control.equals("nvidia-modeset")) {
        Files.createFile(dev.resolve(control));
      }
    }
    for (FakeGpu gpu : nvml.inventory().gpus()) {
      Files.createFile(dev.resolve("nvidia" + gpu.minor()));
    }
    writeMigMinors(
        root.resolve("host/proc/driver/nvidia-caps"), nvml.inventory().gpus());
    SimulatedNode node = new SimulatedNode(root, nvml);
    FakeMpsControl.installScript(node.mpsControl());
    return node;
  }

  /** Refuses, before anything is written, a directory {@link #createAt} must not write into. */
  private static void checkUsable(Path root) throws IOException {
    Path existing = root;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null || !Files.isDirectory(existing)) {
      throw new IllegalArgumentException(
          root.equals(existing)
              ? root + " is not a directory"
              : "cannot create " + root + ": " + existing + " is not a directory");
    }
    if (existing.equals(root)) {
      boolean foreign;
      try (Stream<Path> entries = Files.list(root)) {
        foreign = entries.findAny().isPresent() && !Files.isRegularFile(root.resolve(MARKER));
      }
      if (foreign) {
        throw new IllegalArgumentException(root
            + " is not empty and holds no simulated node (no " + MARKER
            + " file): give an empty or new directory; a previous simulated node is replaced");
      }
    }
    // Files.isWritable says yes to root whatever the mount: try it.
    try {
      Files.delete(Files.createTempFile(existing, ".kubeaccel-probe", ""));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write into " + existing + ": "
          + e.getClass().getSimpleName() + " " + e.getMessage());
    }
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

  /** The kubelet stand-in's device-plugin directory; it exists on nodes made by {@link #create}. */
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

  /** The fake {@code nvidia-cuda-mps-control}. */
  Path mpsControl() {
    return root.resolve("bin/nvidia-cuda-mps-control");
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

  /**
   * The arguments that make a separate {@code kubeaccel pgpu|vgpu|mps} process run on this node: NVML, sysfs, /dev
   * and procfs. The kubelet's device-plugin directory is not among them: add {@link #devicePluginDirArgument()} to
   * use this node's own.
   */
  List<String> agentArguments() {
    return List.of(
        "--nvml-library-dir=" + nvml.directory(),
        "--sys-root=" + nvml.sysfsRoot(),
        "--dev-root=" + hostRoot(),
        "--proc-root=" + hostRoot().resolve("proc"));
  }

  /** The argument that makes the MPS agent run this node's fake MPS control program. */
  String mpsControlArgument() {
    return "--mps-control=" + mpsControl();
  }

  /** The argument that makes an agent serve the kubelet stand-in of {@link #deviceDir()}. */
  String devicePluginDirArgument() {
    return "--device-plugin-dir=" + deviceDir();
  }

  /** Removes the node's directory. */
  @Override
  public void close() throws IOException {
    deleteTree(root);
  }

  private static void deleteTree(Path top) throws IOException {
    if (!Files.exists(top)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(top)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
