package io.kubeaccel.agent.doctor;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kubelet's PodResources API socket: the vGPU and MPS agents reconcile their checkpoints against it after a
 * restart, and every agent sees through it which GPUs another mode's containers still hold.
 */
final class PodResourcesCheck implements DoctorCheck {

  static final String NAME = "pod-resources";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CheckResult run(DoctorContext ctx) {
    Path socket = ctx.paths().podResourcesSocket();
    String consequence =
        "without it the vgpu and mps agents cannot recover allocations after a restart,"
            + " and no agent can see GPUs still held by another mode's containers";
    String fix =
        "enable the kubelet's PodResources API (on by default since Kubernetes 1.15; check the"
            + " KubeletPodResources feature gate) and mount " + socket.getParent()
            + " into the agents; if the socket lives elsewhere, pass --pod-resources-socket";
    if (!Files.exists(socket)) {
      return CheckResult.warn(NAME, socket + " does not exist: " + consequence, fix);
    }
    if (!UnixSockets.isSocket(socket)) {
      return CheckResult.warn(NAME, socket + " is not a socket: " + consequence, fix);
    }
    return CheckResult.pass(NAME, socket + " is present");
  }
}
