package io.kubeaccel.core.inventory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The NVIDIA device nodes of the node: the per-card {@code /dev/nvidiaN} and the shared control nodes a CUDA
 * container needs. Which control nodes exist is read once at start (never on a request path).
 *
 * @param hostDevDir the host's {@code /dev} as the kubelet and container runtime see it (always {@code /dev})
 * @param presentControlNodes the control nodes found, as host paths, in the order CUDA needs them
 */
public record DeviceNodes(Path hostDevDir, List<String> presentControlNodes) {

  /** Control nodes a CUDA container may need, in NVIDIA's order; only those that exist are passed. */
  public static final List<String> CONTROL_NODES =
      List.of("nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset");

  public DeviceNodes {
    presentControlNodes = List.copyOf(presentControlNodes);
  }

  /**
   * Looks for the control nodes under {@code devRoot}: {@code /} on a node, or where the agent's container mounts
   * the host's root (e.g. {@code /host}); the paths handed to the kubelet are always host paths under {@code /dev}.
   */
  public static DeviceNodes scan(Path devRoot) {
    Path hostDev = Path.of("/dev");
    List<String> present = new ArrayList<>();
    for (String name : CONTROL_NODES) {
      if (Files.exists(devRoot.resolve("dev").resolve(name))) {
        present.add(hostDev.resolve(name).toString());
      }
    }
    return new DeviceNodes(hostDev, present);
  }

  /** Host path of card {@code minor}'s node, e.g. {@code /dev/nvidia3}. */
  public String cardNode(int minor) {
    return hostDevDir.resolve("nvidia" + minor).toString();
  }
}
