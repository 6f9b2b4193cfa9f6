package io.kubeaccel.agent.doctor;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kubelet's device-plugin directory exists and its {@code kubelet.sock} is a socket someone listens on: the
 * agents register there.
 */
final class KubeletSocketCheck implements DoctorCheck {

  static final String NAME = "kubelet-socket";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CheckResult run(DoctorContext ctx) {
    Path dir = ctx.paths().deviceDir();
    if (!Files.isDirectory(dir)) {
      return CheckResult.fail(
          NAME,
          "the device-plugin directory " + dir + " does not exist",
          "run doctor on a node whose kubelet is running (`systemctl status kubelet`); if the kubelet's"
              + " --root-dir is not /var/lib/kubelet, pass --device-plugin-dir <root-dir>/device-plugins; in a"
              + " container, mount that directory");
    }
    Path socket = dir.resolve("kubelet.sock");
    if (!Files.exists(socket)) {
      return CheckResult.fail(
          NAME,
          "no kubelet.sock in " + dir + ": the kubelet is not running, or uses another directory",
          "start the kubelet (`sudo systemctl restart kubelet`, `journalctl -u kubelet` says why it stops); if"
              + " its --root-dir is elsewhere, pass --device-plugin-dir <root-dir>/device-plugins");
    }
    if (!UnixSockets.isSocket(socket)) {
      return CheckResult.fail(
          NAME,
          socket + " exists but is not a socket",
          "remove it (`sudo rm " + socket + "`) and restart the kubelet, which creates the socket"
              + " (`sudo systemctl restart kubelet`)");
    }
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      if (String.valueOf(e.getMessage()).contains("ermission")) {
        return CheckResult.warn(
            NAME,
            socket + " is a socket, but doctor may not connect to it: " + e.getMessage(),
            "run doctor as root, as the agents run");
      }
      return CheckResult.fail(
          NAME,
          socket + " is a socket nobody listens on (" + e.getMessage()
              + "): left behind by a kubelet that stopped",
          "restart the kubelet: `sudo systemctl restart kubelet` (it recreates the socket)");
    }
    return CheckResult.pass(NAME, socket + " accepts connections");
  }
}
