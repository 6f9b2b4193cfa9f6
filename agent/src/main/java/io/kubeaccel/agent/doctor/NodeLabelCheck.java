package io.kubeaccel.agent.doctor;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import java.util.Optional;

/**
 * The node carries exactly one valid {@code nvidia-device-enable} value, the one doctor checks for: it decides which
 * mode's DaemonSet runs here.
 */
final class NodeLabelCheck implements DoctorCheck {

  static final String NAME = "node-label";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CheckResult run(DoctorContext ctx) {
    KubeAccess kube = ctx.kube();
    Node node;
    try {
      node = kube.client().nodes().withName(kube.nodeName()).get();
    } catch (KubernetesClientException e) {
      return KubernetesVersionCheck.apiFailure(NAME, e, "node " + kube.nodeName(), kube);
    }
    String wanted = ctx.mode()
        .map(DoctorMode::label)
        .orElse("<" + DoctorMode.choices().replace(", ", "|") + ">");
    if (node == null) {
      return CheckResult.fail(
          NAME,
          "the API server has no node named \"" + kube.nodeName() + "\" (name from "
              + kube.nodeNameSource() + ")",
          "pass --node-name (or set NODE_NAME) to this node's name as `kubectl get nodes` shows it");
    }
    Map<String, String> labels =
        Optional.ofNullable(node.getMetadata().getLabels()).orElse(Map.of());
    String value = labels.get(DoctorMode.LABEL);
    if (value == null) {
      return CheckResult.fail(
          NAME,
          "node " + kube.nodeName() + " has no " + DoctorMode.LABEL
              + " label: no kubeaccel agent is scheduled on it",
          "label it for the mode it should run: `" + ctx.labelCommand(wanted) + "`");
    }
    DoctorMode labelled;
    try {
      labelled = DoctorMode.parse(value);
    } catch (IllegalArgumentException e) {
      return CheckResult.fail(
          NAME,
          "node " + kube.nodeName() + " has " + DoctorMode.LABEL + "=" + value + ", not one of "
              + DoctorMode.choices() + ": no kubeaccel agent is scheduled on it",
          "set exactly one mode: `" + ctx.labelCommand(wanted) + "`");
    }
    if (!labelled.label().equals(value)) {
      return CheckResult.fail(
          NAME,
          "node " + kube.nodeName() + " has " + DoctorMode.LABEL + "=" + value
              + ": the DaemonSets' nodeSelectors match only the lower-case value "
              + labelled.label(),
          "`" + ctx.labelCommand(ctx.mode().orElse(labelled).label()) + "`");
    }
    if (ctx.mode().isPresent() && ctx.mode().get() != labelled) {
      return CheckResult.fail(
          NAME,
          "node " + kube.nodeName() + " is labelled " + DoctorMode.LABEL + "=" + value + ", so the "
              + value + " agent runs here, not the " + ctx.mode().get().label() + " agent",
          "switch the node's mode (its " + value + " containers must end first, see SPEC §6): `"
              + ctx.labelCommand(ctx.mode().get().label()) + "`; or run doctor with --mode "
              + value);
    }
    return CheckResult.pass(
        NAME,
        "node " + kube.nodeName() + " is labelled " + DoctorMode.LABEL + "=" + value + ": the "
            + value + " agent runs here");
  }
}
