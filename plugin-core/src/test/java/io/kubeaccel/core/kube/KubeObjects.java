package io.kubeaccel.core.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.Map;

/** Pods, Nodes and settings for the tests of this package. */
final class KubeObjects {

  static final String NODE = "node-a";
  static final String OTHER_NODE = "node-b";
  static final Duration WAIT = Duration.ofSeconds(10);

  private KubeObjects() {}

  /** Settings for {@link #NODE} with no resync and the given publish interval. */
  static KubeSettings settings(Duration minPublishInterval) {
    return new KubeSettings(NODE, null, Duration.ZERO, minPublishInterval);
  }

  static Pod pod(String namespace, String name, String uid, String nodeName) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .withUid(uid)
        .endMetadata()
        .withNewSpec()
        .withNodeName(nodeName)
        .addNewContainer()
        .withName("main")
        .withImage("cuda:12")
        .endContainer()
        .endSpec()
        .build();
  }

  static Node node(String name, Map<String, String> labels, Map<String, String> annotations) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .withAnnotations(annotations)
        .endMetadata()
        .build();
  }
}
