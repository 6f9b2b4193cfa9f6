package io.kubeaccel.core.kube;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How a node agent reaches the Kubernetes API.
 *
 * @param nodeName the Node this agent runs on (from the downward API, {@code spec.nodeName})
 * @param kubeconfig a kubeconfig file, or null for fabric8's defaults: the in-cluster service account, else
 *     {@code ~/.kube/config}
 * @param resync how often the pod informer re-delivers every cached pod to listeners; zero turns resync off
 * @param minPublishInterval the least time between two writes of this agent's Node labels and annotations
 */
public record KubeSettings(
    String nodeName, Path kubeconfig, Duration resync, Duration minPublishInterval) {

  /** Re-delivers cached pods every 10 minutes, so a missed update is healed without a relist. */
  public static final Duration DEFAULT_RESYNC = Duration.ofMinutes(10);

  /** At most one Node write per 5 seconds: enough for label changes, nothing for the API server. */
  public static final Duration DEFAULT_MIN_PUBLISH_INTERVAL = Duration.ofSeconds(5);

  /** @throws IllegalArgumentException if the node name is blank or a duration is negative */
  public KubeSettings {
    if (nodeName == null || nodeName.isBlank()) {
      throw new IllegalArgumentException("node name is required");
    }
    Objects.requireNonNull(resync, "resync");
    Objects.requireNonNull(minPublishInterval, "minPublishInterval");
    if (resync.isNegative() || minPublishInterval.isNegative()) {
      throw new IllegalArgumentException("resync and minPublishInterval must not be negative, got "
          + resync + " and " + minPublishInterval);
    }
  }

  /** Settings for {@code nodeName} with the default kubeconfig lookup, resync and publish interval. */
  public static KubeSettings forNode(String nodeName) {
    return new KubeSettings(nodeName, null, DEFAULT_RESYNC, DEFAULT_MIN_PUBLISH_INTERVAL);
  }

  /**
   * Settings from the agent's environment: {@code NODE_NAME} (required, set from the downward API) and
   * {@code KUBECONFIG} (optional, one file), with the default resync and publish interval.
   *
   * @throws IllegalArgumentException naming {@code NODE_NAME} when it is absent or blank, or naming {@code
   *     KUBECONFIG} when it lists several files
   */
  public static KubeSettings fromEnvironment(Map<String, String> env) {
    String nodeName = env.get("NODE_NAME");
    if (nodeName == null || nodeName.isBlank()) {
      throw new IllegalArgumentException(
          "environment variable NODE_NAME is required: set it from the downward API"
              + " (env: - name: NODE_NAME, valueFrom: {fieldRef: {fieldPath: spec.nodeName}})");
    }
    String kubeconfig = env.get("KUBECONFIG");
    Path kubeconfigPath = null;
    if (kubeconfig != null && !kubeconfig.isBlank()) {
      if (kubeconfig.contains(File.pathSeparator)) {
        throw new IllegalArgumentException(
            "environment variable KUBECONFIG must name one file, got a list: " + kubeconfig);
      }
      kubeconfigPath = Path.of(kubeconfig.strip());
    }
    return new KubeSettings(
        nodeName.strip(), kubeconfigPath, DEFAULT_RESYNC, DEFAULT_MIN_PUBLISH_INTERVAL);
  }
}
