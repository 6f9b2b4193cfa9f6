package io.kubeaccel.extender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubeaccel.core.kube.KubeClients;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes clients of the extender and the agents ({@link KubeClients#create}) trust the CA their kubeconfig or
 * service account names, alone, as client-go does: an API server certificate from any other CA is refused, even one
 * the JVM's default trust store vouches for (fabric8 by itself merges the two).
 */
class ApiServerTrustTest {

  private static final String VERSION =
      "{\"major\":\"1\",\"minor\":\"31\",\"gitVersion\":\"v1.31.0\",\"platform\":\"linux/amd64\"}";

  @TempDir
  Path dir;

  private TestCertificates.Issued clusterCa;
  private TestCertificates.Issued otherCa;
  private HttpsServer server;

  @BeforeEach
  void startApiServer() throws Exception {
    clusterCa = TestCertificates.authority("cluster-ca");
    otherCa = TestCertificates.authority("other-ca");
    TestCertificates.Issued serving =
        TestCertificates.issue("apiserver", TestCertificates.ec(), clusterCa, true);
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry(
        "server", serving.keys().getPrivate(), new char[0], new java.security.cert.Certificate[] {
          serving.certificate(), clusterCa.certificate()
        });
    KeyManagerFactory keyManagers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, new char[0]);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers.getKeyManagers(), null, null);
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(context));
    server.createContext("/version", exchange -> {
      byte[] body = VERSION.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void theNamedCaIsTrustedAsDataOrAsAFile() throws Exception {
    try (KubernetesClient client = KubeClients.create(config(caData(clusterCa), null), null)) {
      assertThat(client.getKubernetesVersion().getGitVersion()).isEqualTo("v1.31.0");
    }
    Path file = TestCertificates.pem(dir.resolve("ca.crt"), clusterCa.certificate());
    try (KubernetesClient client = KubeClients.create(config(null, file), null)) {
      assertThat(client.getKubernetesVersion().getGitVersion()).isEqualTo("v1.31.0");
    }
  }

  @Test
  void aServerCertificateFromAnotherCaIsRefusedEvenWhenTheJvmTrustStoreHoldsThatCa()
      throws Exception {
    // The JVM's default trust store is where fabric8 looks first; make it vouch for the server.
    Path jvmStore = dir.resolve("jvm-truststore.p12");
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("cluster-ca", clusterCa.certificate());
    try (OutputStream out = Files.newOutputStream(jvmStore)) {
      store.store(out, "changeit".toCharArray());
    }
    String[] properties = {
      "javax.net.ssl.trustStore", "javax.net.ssl.trustStorePassword", "javax.net.ssl.trustStoreType"
    };
    String[] before = new String[properties.length];
    for (int i = 0; i < properties.length; i++) {
      before[i] = System.getProperty(properties[i]);
    }
    System.setProperty("javax.net.ssl.trustStore", jvmStore.toString());
    System.setProperty("javax.net.ssl.trustStorePassword", "changeit");
    System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
    try (KubernetesClient client = KubeClients.create(config(caData(otherCa), null), null)) {
      assertThatThrownBy(client::getKubernetesVersion)
          .hasStackTraceContaining("PKIX path building failed");
    } finally {
      for (int i = 0; i < properties.length; i++) {
        if (before[i] == null) {
          System.clearProperty(properties[i]);
        } else {
          System.setProperty(properties[i], before[i]);
        }
      }
    }
  }

  @Test
  void onlyTheNamedCertificatesAreTrusted() throws Exception {
    String both = Base64.getEncoder()
        .encodeToString(Files.readString(TestCertificates.pem(
                dir.resolve("both.crt"), clusterCa.certificate(), otherCa.certificate()))
            .getBytes(StandardCharsets.UTF_8));
    javax.net.ssl.X509TrustManager trust =
        (javax.net.ssl.X509TrustManager) KubeClients.namedCaTrustManagers(config(both, null))[0];
    assertThat(trust.getAcceptedIssuers())
        .containsExactlyInAnyOrder(clusterCa.certificate(), otherCa.certificate());
  }

  private Config config(String caData, Path caFile) {
    return new ConfigBuilder(Config.empty())
        .withMasterUrl("https://127.0.0.1:" + server.getAddress().getPort())
        .withCaCertData(caData)
        .withCaCertFile(caFile == null ? null : caFile.toString())
        .withOauthToken("test")
        .withRequestRetryBackoffLimit(0)
        .withConnectionTimeout(5_000)
        .withRequestTimeout(5_000)
        .build();
  }

  private String caData(TestCertificates.Issued ca) throws Exception {
    Path pem = TestCertificates.pem(dir.resolve(ca.hashCode() + ".crt"), ca.certificate());
    return Base64.getEncoder()
        .encodeToString(Files.readString(pem).getBytes(StandardCharsets.UTF_8));
  }
}
