package io.kubeaccel.extender;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kubeaccel.core.kube.KubeClients;
import java.util.HashMap;

/**
 * fabric8's mock API server in CRUD mode and a client on it. Close the server before the informers: fabric8 8.0.0's
 * mock server can deadlock for 10 s when a watch is closed while an event is being sent.
 */
final class MockCluster {

  final KubernetesMockServer server;
  final KubernetesClient client;

  MockCluster() {
    server = new KubernetesMockServer(
        new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    server.init();
    client = server.createClient(builder -> builder
        .withKubernetesSerialization(KubeClients.serialization())
        .editOrNewConfig()
        .withRequestRetryBackoffLimit(0)
        .withWatchReconnectInterval(50)
        .withRequestTimeout(5_000)
        .endConfig());
  }

  /** Stops the server, then {@code extender} (its informers), then the client. */
  void close(AutoCloseable extender) throws Exception {
    server.destroy();
    if (extender != null) {
      extender.close();
    }
    client.close();
  }
}
