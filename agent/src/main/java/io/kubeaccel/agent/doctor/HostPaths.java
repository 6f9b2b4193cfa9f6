package io.kubeaccel.agent.doctor;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where doctor looks on the node. Defaults are the host's own paths; when doctor runs in a container, each points at
 * where the host's file is mounted.
 *
 * @param devRoot the root under which the host's {@code dev/} is visible ({@code /} on the node)
 * @param procRoot procfs ({@code /proc}), for the MIG capability minors
 * @param deviceDir the kubelet's device-plugin directory, holding {@code kubelet.sock}
 * @param podResourcesSocket the kubelet's PodResources API socket
 * @param containerdConfig containerd's {@code config.toml}
 * @param dockerConfig docker's {@code daemon.json}
 * @param nvidiaCtk the NVIDIA container toolkit CLI; {@code nvidia-container-toolkit} and {@code
 *     nvidia-container-runtime} beside it are tried when it is absent (toolkits before {@code nvidia-ctk} existed)
 */
public record HostPaths(
    Path devRoot,
    Path procRoot,
    Path deviceDir,
    Path podResourcesSocket,
    Path containerdConfig,
    Path dockerConfig,
    Path nvidiaCtk) {

  public HostPaths {
    Objects.requireNonNull(devRoot, "devRoot");
    Objects.requireNonNull(procRoot, "procRoot");
    Objects.requireNonNull(deviceDir, "deviceDir");
    Objects.requireNonNull(podResourcesSocket, "podResourcesSocket");
    Objects.requireNonNull(containerdConfig, "containerdConfig");
    Objects.requireNonNull(dockerConfig, "dockerConfig");
    Objects.requireNonNull(nvidiaCtk, "nvidiaCtk");
  }

  /** The host's standard locations: {@code /dev}, {@code /proc}, {@code /var/lib/kubelet/...}, {@code /etc/...}. */
  public static HostPaths defaults() {
    Path deviceDir = Path.of("/var/lib/kubelet/device-plugins");
    return new HostPaths(
        Path.of("/"),
        Path.of("/proc"),
        deviceDir,
        podResourcesSocketFor(deviceDir),
        Path.of("/etc/containerd/config.toml"),
        Path.of("/etc/docker/daemon.json"),
        Path.of("/usr/bin/nvidia-ctk"));
  }

  /**
   * The PodResources socket beside a device-plugin directory: both live in the kubelet's root directory ({@code
   * /var/lib/kubelet/device-plugins} -> {@code /var/lib/kubelet/pod-resources/kubelet.sock}).
   */
  public static Path podResourcesSocketFor(Path deviceDir) {
    Path kubeletRoot = deviceDir.toAbsolutePath().getParent();
    Path base = kubeletRoot == null ? deviceDir : kubeletRoot;
    return base.resolve("pod-resources").resolve("kubelet.sock");
  }

  /** The host device node {@code name} as doctor sees it, e.g. {@code /dev/nvidiactl} under {@link #devRoot}. */
  public Path devNode(String name) {
    return devRoot.resolve("dev").resolve(name);
  }
}
