package io.kubeaccel.core.kube;

import static io.kubeaccel.core.kube.KubeObjects.NODE;
import static io.kubeaccel.core.kube.KubeObjects.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
    return kubeconfig("https://127.0.0.1:" + port);
  }

  private Path kubeconfig(String server) throws IOException {
    return kubeconfig(server, "insecure-skip-tls-verify: true");
  }

  /** A kubeconfig for {@code server} with one more line of cluster settings ({@code tls}). */
  private Path kubeconfig(String server, String tls) throws IOException {
    return kubeconfig(server, tls, "token: not-a-real-token");
  }

  /** A kubeconfig for {@code server}: one line of cluster settings ({@code tls}), one of credentials ({@code user}). */
  private Path kubeconfig(String server, String tls, String user) throws IOException {
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: down
          cluster:
            server: %s
            %s
        users:
        - name: agent
          user:
            %s
        contexts:
        - name: down
          context:
            cluster: down
            user: agent
        current-context: down
        """.formatted(server, tls, user));
    return kubeconfig;
  }

  @Test
  void connectsWithoutWaitingForAnUnreachableApiServerAndKeepsItsWorkPending() throws Exception {
    KubeSettings settings =
        new KubeSettings(NODE, kubeconfigForUnreachableServer(), Duration.ZERO, Duration.ZERO);
    CompletableFuture<Void> annotated;
    CompletableFuture<Void> published;

    try (KubeAccess access = KubeAccess.connect(settings, true)) {
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

  @Test
  void aModeThatNeedsNoPodsWritesItsNodeWithoutWatchingPods() throws Exception {
    try (MockApiServer api = new MockApiServer();
        KubernetesClient admin = api.newClient()) {
      admin.nodes().resource(KubeObjects.node(NODE, Map.of(), Map.of())).create();
      KubeSettings settings = new KubeSettings(
          NODE, kubeconfig(admin.getMasterUrl().toString()), Duration.ZERO, Duration.ZERO);

      try (KubeAccess access = KubeAccess.connect(settings, false)) {
        access
            .nodeMetadata()
            .publish(Set.of("nvidia.com/gpu.count"), Map.of("nvidia.com/gpu.count", "4"), Map.of());
        access.nodeMetadata().published().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThatThrownBy(access::nodePods)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("without a pod cache");
      }

      assertThat(admin.nodes().withName(NODE).get().getMetadata().getLabels())
          .containsEntry("nvidia.com/gpu.count", "4");
      assertThat(api.requests())
          .extracting(MockApiServer.Request::path)
          .noneMatch(path -> path.contains("/pods"));
    }
  }

  /** A kubeconfig that parses but names a CA file that is not there is refused when it is read, with the cause. */
  @Test
  void aKubeconfigWhoseCertificatesCannotBeLoadedIsRefusedWhenRead() throws Exception {
    Path kubeconfig = kubeconfig(
        "https://127.0.0.1:6443", "certificate-authority: " + dir.resolve("missing-ca.crt"));
    KubeSettings settings = new KubeSettings(NODE, kubeconfig, Duration.ZERO, Duration.ZERO);

    assertThatThrownBy(() -> KubeAccess.clientConfig(settings))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("kubeconfig " + kubeconfig)
        .hasMessageContaining("certificates or keys cannot be loaded")
        .hasMessageContaining("missing-ca.crt");
  }

  /** A client certificate the kubeconfig names is loaded when it is read, even when no CA is named. */
  @Test
  void aKubeconfigWhoseClientCertificateCannotBeLoadedIsRefusedWhenRead() throws Exception {
    // A client certificate and key in one line of YAML flow style.
    Path kubeconfig = kubeconfig(
        "https://127.0.0.1:6443",
        "",
        "{client-certificate: %s, client-key: %s}"
            .formatted(dir.resolve("missing-client.crt"), dir.resolve("missing-client.key")));
    KubeSettings settings = new KubeSettings(NODE, kubeconfig, Duration.ZERO, Duration.ZERO);

    assertThatThrownBy(() -> KubeAccess.clientConfig(settings))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("certificates or keys cannot be loaded")
        .hasMessageContaining("missing-client");
  }
}
