package io.kubeaccel.agent.doctor;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The API server is Kubernetes 1.25 or newer. */
final class KubernetesVersionCheck implements DoctorCheck {

  static final String NAME = "kubernetes-version";
  static final int MINIMUM_MINOR = 25;

  /** The leading number of a version field; providers append to it (GKE's minor "27+"). */
  private static final Pattern NUMBER = Pattern.compile("^v?(\\d+)");

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CheckResult run(DoctorContext ctx) {
    VersionInfo version;
    try {
      version = ctx.kube().client().getKubernetesVersion();
    } catch (KubernetesClientException e) {
      return apiFailure(NAME, e, "the version", ctx.kube());
    }
    String shown = version.getGitVersion() != null
        ? version.getGitVersion()
        : version.getMajor() + "." + version.getMinor();
    int major = number(version.getMajor());
    int minor = number(version.getMinor());
    if (major < 0 || minor < 0) {
      return CheckResult.warn(
          NAME,
          "the API server reports an unreadable version: major \"" + version.getMajor()
              + "\", minor \"" + version.getMinor() + "\"",
          "check `kubectl version`: kubeaccel needs Kubernetes 1." + MINIMUM_MINOR + " or newer");
    }
    if (major > 1 || (major == 1 && minor >= MINIMUM_MINOR)) {
      return CheckResult.pass(NAME, "Kubernetes " + shown + " (needs 1." + MINIMUM_MINOR + "+)");
    }
    return CheckResult.fail(
        NAME,
        "Kubernetes " + shown + " is older than 1." + MINIMUM_MINOR
            + ", the oldest version kubeaccel supports",
        "upgrade the cluster (control plane, then this node's kubelet) to 1." + MINIMUM_MINOR
            + " or newer");
  }

  private static int number(String field) {
    Matcher matcher = NUMBER.matcher(field == null ? "" : field);
    return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
  }

  /**
   * A failed API call: unreachable is a SKIP (doctor may run where there is no cluster access); an unusable
   * kubeconfig or a refusal (401/403) is a WARN saying which credentials to fix; any other answer a SKIP naming it.
   */
  static CheckResult apiFailure(
      String name, KubernetesClientException e, String call, KubeAccess kube) {
    if (kube.unconfigured()) {
      return CheckResult.warn(
          name,
          e.getMessage(),
          "pass --kubeconfig <a kubeconfig that reaches the cluster>, or fix the one named here; KUBECONFIG,"
              + " ~/.kube/config and a pod's service account are used when --kubeconfig is not given");
    }
    String reason = KubeAccess.reason(e);
    if (KubeAccess.unreachable(e)) {
      return CheckResult.skip(
          name,
          "the API server " + kube.server() + " is unreachable (" + reason + "), so " + call
              + " could not be checked; run doctor where the kubeconfig (--kubeconfig, KUBECONFIG,"
              + " ~/.kube/config or the pod's service account) reaches the cluster");
    }
    if (e.getCode() == 401 || e.getCode() == 403) {
      return CheckResult.warn(
          name,
          "the API server refused to show " + call + ": " + reason,
          "use credentials that may read nodes and /version: pass --kubeconfig <admin kubeconfig>, or bind"
              + " doctor's service account to a ClusterRole with get on nodes");
    }
    return CheckResult.skip(name, "the API server could not show " + call + ": " + reason);
  }
}
