package io.kubeaccel.core.inventory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NVIDIA device nodes of the node: the per-card {@code /dev/nvidiaN}, the shared control nodes a CUDA container
 * needs, and the {@code /dev/nvidia-caps} nodes that grant access to MIG instances. Read once at start (never on a
 * request path).
 *
 * @param hostDevDir the host's {@code /dev} as the kubelet and container runtime see it (always {@code /dev})
 * @param presentControlNodes the control nodes found, as host paths, in the order CUDA needs them
 * @param migCapMinors the minor numbers of the MIG capability nodes by capability path, e.g. {@code gpu0/gi1/access}
 *     -> 12 (from {@code /proc/driver/nvidia-caps/mig-minors}); empty when the driver has no MIG support
 */
public record DeviceNodes(
    Path hostDevDir, List<String> presentControlNodes, Map<String, Integer> migCapMinors) {

  /** Control nodes a CUDA container may need, in NVIDIA's order; only those that exist are passed. */
  public static final List<String> CONTROL_NODES =
      List.of("nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset");

  private static final Logger log = LoggerFactory.getLogger(DeviceNodes.class);

  public DeviceNodes {
    presentControlNodes = List.copyOf(presentControlNodes);
    migCapMinors = Map.copyOf(migCapMinors);
  }

  /**
   * Looks for the control nodes under {@code devRoot} ({@code /} on a node, or where the agent's container mounts the
   * host's root) and reads the MIG capability minors from {@code procRoot} ({@code /proc}); the paths handed to the
   * kubelet are always host paths under {@code /dev}.
   */
  public static DeviceNodes scan(Path devRoot, Path procRoot) {
    Path hostDev = Path.of("/dev");
    List<String> present = new ArrayList<>();
    for (String name : CONTROL_NODES) {
      if (Files.exists(devRoot.resolve("dev").resolve(name))) {
        present.add(hostDev.resolve(name).toString());
      }
    }
    return new DeviceNodes(
        hostDev, present, readMigMinors(procRoot.resolve("driver/nvidia-caps/mig-minors")));
  }

  /** Parses lines of {@code <capability path> <minor>}, e.g. {@code gpu0/gi1/ci0/access 13}. */
  static Map<String, Integer> readMigMinors(Path file) {
    Map<String, Integer> minors = new HashMap<>();
    try {
      for (String line : Files.readAllLines(file)) {
        String[] parts = line.trim().split("\\s+");
        if (parts.length == 2 && parts[1].matches("\\d{1,9}")) {
          minors.put(parts[0], Integer.parseInt(parts[1]));
        }
      }
    } catch (NoSuchFileException e) {
      return Map.of(); // a driver without MIG support
    } catch (IOException e) {
      log.warn("MIG capability minors unreadable file={} reason=\"{}\"", file, e.toString());
    }
    return minors;
  }

  /** Host path of card {@code minor}'s node, e.g. {@code /dev/nvidia3}. */
  public String cardNode(int minor) {
    return hostDevDir.resolve("nvidia" + minor).toString();
  }

  /**
   * The capability nodes granting access to a MIG device: its GPU instance and its compute instance, e.g. {@code
   * /dev/nvidia-caps/nvidia-cap12}; empty when the driver did not list them.
   */
  public List<String> migCapabilityNodes(int cardMinor, int gpuInstance, int computeInstance) {
    List<String> nodes = new ArrayList<>(2);
    String gi = "gpu" + cardMinor + "/gi" + gpuInstance;
    for (String capability : List.of(gi + "/access", gi + "/ci" + computeInstance + "/access")) {
      Integer minor = migCapMinors.get(capability);
      if (minor != null) {
        nodes.add(
            hostDevDir.resolve("nvidia-caps").resolve("nvidia-cap" + minor).toString());
      }
    }
    return nodes;
  }
}
