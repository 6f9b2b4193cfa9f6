package io.kubeaccel.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kubeaccel.extender.TlsSettings;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code kubeaccel extender}: its options, their mistakes, and a run against a mock API server. */
class ExtenderCommandTest {

  @Test
  void helpExplainsEveryOptionWithItsEnvironmentVariable() {
    Cli.Result result = Cli.run("extender", "--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .contains("--tls-cert-file", "TLS_CERT_FILE")
        .contains("--tls-client-ca-file", "TLS_CLIENT_CA_FILE")
        .contains("--assign-at", "ASSIGN_AT")
        .contains("--node-policy", "--card-policy")
        .contains("kubeaccel.io/gpu-model-exclude")
        .contains("--max-body-bytes", "--request-timeout", "--assignment-ttl");
  }

  @Test
  void mistakesAreUsageErrorsThatSayWhatIsWrong() {
    Cli.Result keyAlone = Cli.run("extender", "--tls-key-file", "/tmp/tls.key");
    Cli.Result verb = Cli.run("extender", "--assign-at", "sometimes");
    Cli.Result duration = Cli.run("extender", "--request-timeout", "10");
    Cli.Result policy = Cli.run("extender", "--card-policy", "tight");
    Cli.Result address = Cli.run("extender", "--address", "127.0.0.1:3456");

    assertThat(keyAlone.exitCode()).isEqualTo(2);
    assertThat(keyAlone.err()).contains("--tls-cert-file and --tls-key-file");
    assertThat(verb.exitCode()).isEqualTo(2);
    assertThat(verb.err()).contains("\"sometimes\" is not one of: bind, filter");
    assertThat(duration.exitCode()).isEqualTo(2);
    assertThat(duration.err()).contains("\"10\" is not a duration such as 500ms, 30s, 5m or 1h");
    assertThat(policy.exitCode()).isEqualTo(2);
    assertThat(policy.err()).contains("\"tight\" is not one of: binpack, spread");
    assertThat(address.exitCode()).isEqualTo(2);
    assertThat(address.err())
        .contains("--address 127.0.0.1:3456 is not an IP address or a host name that resolves")
        .contains("(the port goes in --port)");
  }

  @Test
  void servesTheSchedulerUntilStopped(@TempDir Path dir) throws Exception {
    KubernetesMockServer api = new KubernetesMockServer(
        new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    api.init();
    String master;
    try (KubernetesClient client = api.createClient()) {
      master = client.getMasterUrl().toString();
    }
    Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster:
            server: %s
        contexts:
        - name: mock
          context:
            cluster: mock
            user: test
        current-context: mock
        users:
        - name: test
          user:
            token: secret
        """.formatted(master));
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    CommandLine cli = Main.commandLine();
    ExtenderCommand command = cli.getSubcommands().get("extender").getCommand();
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute(
        "extender",
        "--kubeconfig",
        kubeconfig.toString(),
        "--address",
        "127.0.0.1",
        "--port",
        Integer.toString(port),
        "--assign-at",
        "bind"));
    try {
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + port;
      assertThat(awaitStatus(http, base + "/readyz", 200)).isTrue();
      HttpResponse<String> filter = http.send(
          HttpRequest.newBuilder(URI.create(base + "/scheduler/predicates"))
              .POST(HttpRequest.BodyPublishers.ofString(
                  "{\"Pod\":{\"metadata\":{\"name\":\"p\",\"namespace\":\"ml\",\"uid\":\"u\"},"
                      + "\"spec\":{\"containers\":[{\"name\":\"c\",\"resources\":{\"limits\":"
                      + "{\"tencent.com/vcuda-core\":\"50\",\"tencent.com/vcuda-memory\":\"4\"}}}]}},"
                      + "\"Nodes\":null,\"NodeNames\":[\"n1\"]}"))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(filter.statusCode()).isEqualTo(200);
      assertThat(filter.body())
          .contains("\"FailedNodes\":{\"n1\":\"the extender has not seen this Node (yet)\"}");
      assertThat(System.getProperty(TlsSettings.SESSION_TICKETS_PROPERTY))
          .as("stateless session tickets off, so a reloaded client CA can end sessions")
          .isEqualTo("false");
    } finally {
      api.destroy(); // before the informers close: the mock server can deadlock on a watch closing
      command.stop.countDown();
    }
    assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
  }

  private static boolean awaitStatus(HttpClient http, String url, int status) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(
                    HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode()
            == status) {
          return true;
        }
      } catch (java.io.IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      LockSupport.parkNanos(20_000_000);
    }
    return false;
  }
}
