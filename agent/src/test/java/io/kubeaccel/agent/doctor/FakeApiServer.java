package io.kubeaccel.agent.doctor;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** fabric8's mock API server reporting one Kubernetes version and serving nodes doctor asks for. */
final class FakeApiServer implements AutoCloseable {

  private final KubernetesMockServer server;

  FakeApiServer(String major, String minor) {
    server = new KubernetesMockServer(false);
    server.setVersionInfo(new VersionInfo.Builder()
        .withMajor(major)
        .withMinor(minor)
        .withGitVersion("v" + major + "." + minor.replace("+", "") + ".3")
        .build());
    server.init();
  }

  /** Serves node {@code name} with {@code labels}. */
  FakeApiServer node(String name, Map<String, String> labels) {
    Node node = new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .build();
    server.expect().get().withPath("/api/v1/nodes/" + name).andReturn(200, node).always();
    return this;
  }

  /** Refuses to show node {@code name}, as RBAC does for a service account without get on nodes. */
  FakeApiServer forbidden(String name) {
    server
        .expect()
        .get()
        .withPath("/api/v1/nodes/" + name)
        .andReturn(
            403,
            new StatusBuilder()
                .withCode(403)
                .withReason("Forbidden")
                .withMessage(
                    "nodes \"" + name + "\" is forbidden: User \"system:serviceaccount:kube-system:"
                        + "doctor\" cannot get resource \"nodes\"")
                .build())
        .always();
    return this;
  }

  KubernetesClient client() {
    return server.createClient();
  }

  /** A kubeconfig file pointing at this server, as the CLI's --kubeconfig takes it. */
  Path kubeconfig(Path dir) throws IOException {
    return writeKubeconfig(dir, server.url("/").replaceAll("/$", ""));
  }

  /** A kubeconfig for an API server nobody listens on: connection refused at once. */
  static Path unreachableKubeconfig(Path dir) throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    return writeKubeconfig(dir, "http://127.0.0.1:" + port);
  }

  private static Path writeKubeconfig(Path dir, String url) throws IOException {
    Files.createDirectories(dir);
    return Files.writeString(dir.resolve("kubeconfig"), """
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster:
            server: %s
        contexts:
        - name: test
          context:
            cluster: test
            user: test
        current-context: test
        users:
        - name: test
          user:
            token: doctor-test-token
        """.formatted(url));
  }

  @Override
  public void close() {
    server.destroy();
  }
}
