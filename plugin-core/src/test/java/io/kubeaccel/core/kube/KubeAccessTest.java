package io.kubeaccel.core.kube;

import static io.kubeaccel.core.kube.KubeObjects.NODE;
import static io.kubeaccel.core.kube.KubeObjects.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeAccessTest {

  @TempDir
  Path dir;

  /** A kubeconfig naming a local port nothing listens on. */
  private Path kubeconfigForUnreachableServer() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: down
          cluster:
            server: https://127.0.0.1:%d
            insecure-skip-tls-verify: true
        users:
        - name: agent
          user:
            token: not-a-real-token
        contexts:
        - name: down
          context:
            cluster: down
            user: agent
        current-context: down
        """.formatted(port));
    return kubeconfig;
  }

  @Test
  void connectsWithoutWaitingForAnUnreachableApiServerAndKeepsItsWorkPending() throws Exception {
    KubeSettings settings =
        new KubeSettings(NODE, kubeconfigForUnreachableServer(), Duration.ZERO, Duration.ZERO);
    CompletableFuture<Void> annotated;
    CompletableFuture<Void> published;

    try (KubeAccess access = KubeAccess.connect(settings)) {
      assertThat(access.nodeName()).isEqualTo(NODE);
      assertThat(access.nodePods().hasSynced()).isFalse();
      assertThat(access.nodePods().pods()).isEmpty();
      assertThat(access.nodePods().awaitSynced(Duration.ofMillis(200))).isFalse();

      annotated = access
          .podAnnotator()
          .annotate(new PodRef("uid-1", "team-a", "train-1"), Map.of("a", "1"));
      access
          .nodeMetadata()
          .publish(Set.of("nvidia.com/gpu.count"), Map.of("nvidia.com/gpu.count", "4"), Map.of());
      published = access.nodeMetadata().published();
      access.nodeEvents().normal("Started", "agent started");

      assertThat(annotated).isNotDone();
      assertThat(published).isNotDone();
      assertThat(Thread.getAllStackTraces().keySet())
          .filteredOn(thread -> thread.getName().startsWith("kubeaccel-kube-"))
          .extracting(Thread::getName)
          .contains(
              "kubeaccel-kube-annotator", "kubeaccel-kube-node-metadata", "kubeaccel-kube-events");
      assertThat(Thread.getAllStackTraces().keySet())
          .filteredOn(thread -> thread.getName().startsWith("kubeaccel-kube-"))
          .allMatch(Thread::isDaemon);
    }

    assertThat(annotated).failsWithin(WAIT);
    assertThat(annotated).isCancelled();
    assertThat(published).isCancelled();
  }
}
