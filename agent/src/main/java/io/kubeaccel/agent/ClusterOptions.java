package io.kubeaccel.agent;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a node agent reaches its cluster: its node's name, the API server, and the kubelet's PodResources API. */
final class ClusterOptions {

  @Option(
      names = "--node-name",
      paramLabel = "NAME",
      defaultValue = "${env:NODE_NAME}",
      description =
          "This node's name (env NODE_NAME, from the downward API): its pods, labels, annotations and"
              + " Events. Required by vgpu and mps; without it pgpu publishes no labels or Events.")
  String nodeName;

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      defaultValue = "${env:KUBECONFIG}",
      description =
          "Kubeconfig file (env KUBECONFIG); without it the in-cluster service account is used.")
  Path kubeconfig;

  @Option(
      names = "--pod-resources-socket",
      paramLabel = "FILE",
      defaultValue = "${env:POD_RESOURCES_SOCKET:-/var/lib/kubelet/pod-resources/kubelet.sock}",
      description = "The kubelet's PodResources socket: which containers hold which devices (env"
          + " POD_RESOURCES_SOCKET). Default: ${DEFAULT-VALUE}.")
  Path podResourcesSocket;

  boolean hasNodeName() {
    return nodeName != null && !nodeName.isBlank();
  }
}
