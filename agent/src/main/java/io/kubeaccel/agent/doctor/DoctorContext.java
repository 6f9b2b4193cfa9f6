package io.kubeaccel.agent.doctor;

import java.util.Objects;
import java.util.Optional;

/**
 * Everything a check may look at: the mode asked for, the host paths, and the lazily opened NVML and Kubernetes API.
 * Nothing is opened until a check asks, and a failure to open is a value the asking check reports, so one broken
 * prerequisite does not stop the other checks.
 *
 * @param mode the mode the node is checked for; empty to report every mode's requirements without failing on them
 * @param paths where the host's files are
 * @param nvml the node's GPUs, read on first use
 * @param kube the API server and the node's name
 */
public record DoctorContext(
    Optional<DoctorMode> mode, HostPaths paths, NvmlProbe nvml, KubeAccess kube) {

  public DoctorContext {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(paths, "paths");
    Objects.requireNonNull(nvml, "nvml");
    Objects.requireNonNull(kube, "kube");
  }

  /** Whether the node is checked for {@code candidate}. */
  boolean modeIs(DoctorMode candidate) {
    return mode.filter(candidate::equals).isPresent();
  }

  /** The command that labels the checked node for {@code value}, e.g. {@code kubectl label node n1 ...=pgpu}. */
  String labelCommand(String value) {
    return "kubectl label node " + kube.nodeName() + " " + DoctorMode.LABEL + "=" + value
        + " --overwrite";
  }
}
