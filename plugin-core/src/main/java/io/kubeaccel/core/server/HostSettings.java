package io.kubeaccel.core.server;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a {@link DevicePluginHost} reaches the kubelet.
 *
 * @param deviceDir the kubelet's device-plugin directory; holds {@code kubelet.sock} and the plugins' sockets
 * @param registerTimeout how long one Register call may take (the kubelet dials back inside it)
 * @param socketCheckInterval how often sockets are checked besides inotify, and the longest a missed event delays
 *     re-registration
 * @param maxFailures serve/register failures tolerated within {@code failureWindow} before the agent gives up
 * @param failureWindow see {@code maxFailures}
 */
public record HostSettings(
    Path deviceDir,
    Duration registerTimeout,
    Duration socketCheckInterval,
    int maxFailures,
    Duration failureWindow) {

  /** The kubelet's device-plugin directory on every node. */
  public static final Path DEFAULT_DEVICE_DIR = Path.of("/var/lib/kubelet/device-plugins");

  /** The kubelet's registration socket, inside the device-plugin directory. */
  public static final String KUBELET_SOCKET = "kubelet.sock";

  /** Defaults matching the kubelet and NVIDIA's plugin: 5 s Register timeout, 1 s checks, 5 failures per hour. */
  public static HostSettings defaults(Path deviceDir) {
    return new HostSettings(
        deviceDir, Duration.ofSeconds(5), Duration.ofSeconds(1), 5, Duration.ofHours(1));
  }

  /** The socket file name for {@code resource}, e.g. {@code kubeaccel-nvidia.com_gpu.sock}. */
  public static String socketName(String resource) {
    return "kubeaccel-" + resource.replace('/', '_') + ".sock";
  }
}
