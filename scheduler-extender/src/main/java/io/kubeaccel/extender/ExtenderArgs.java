package io.kubeaccel.extender;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * kube-scheduler's {@code ExtenderArgs}: the pod and its candidate nodes, either whole Node objects ({@code Nodes},
 * when the extender is not {@code nodeCacheCapable}) or names ({@code NodeNames}).
 *
 * @param pod the pod being scheduled
 * @param nodeNames the candidates' names, in the order sent
 * @param nodeItems the Node objects as sent (to echo back the passing ones unchanged), or null when names were sent
 * @param nodeList the NodeList's own fields besides its items (apiVersion, kind, metadata), or null
 */
record ExtenderArgs(
    Pod pod, List<String> nodeNames, List<JsonNode> nodeItems, ObjectNode nodeList) {

  ExtenderArgs {
    nodeNames = List.copyOf(nodeNames);
    nodeItems = nodeItems == null ? null : List.copyOf(nodeItems);
  }

  /** Whether the scheduler sent names ({@code nodeCacheCapable: true}): the answer then carries names too. */
  boolean byName() {
    return nodeItems == null;
  }
}
