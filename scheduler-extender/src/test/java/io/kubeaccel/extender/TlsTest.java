package io.kubeaccel.extender;

import static io.kubeaccel.extender.Fixtures.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS with PEM files as Kubernetes Secrets hold them, and client-certificate verification. */
class TlsTest {

  private static TestCertificates.Issued ca;
  private static TestCertificates.Issued server;
  private static TestCertificates.Issued client;

  @TempDir
  Path dir;

  private MockCluster cluster;
  private SchedulerExtender extender;

  @BeforeAll
  static void certificates() throws Exception {
    ca = TestCertificates.authority("kubeaccel test CA");
    server = TestCertificates.issue("gpu-quota-admission", TestCertificates.rsa(), ca, true);
    client = TestCertificates.issue("kube-scheduler", TestCertificates.rsa(), ca, false);
  }

  @BeforeEach
  void setUp() {
    cluster = new MockCluster();
  }

  @AfterEach
  void tearDown() throws Exception {
    cluster.close(extender);
  }

  private int start(TlsSettings tls) throws Exception {
    ExtenderSettings defaults = ExtenderSettings.defaults(0);
    extender = SchedulerExtender.start(
        cluster.client,
        new ExtenderSettings(
                new InetSocketAddress("127.0.0.1", 0),
                null,
                defaults.assignAt(),
                defaults.nodePolicy(),
                defaults.cardPolicy(),
                defaults.maxBodyBytes(),
                defaults.requestTimeout(),
                defaults.assignmentTtl(),
                2,
                "test")
            .withTls(tls));
    assertThat(extender.awaitSynced(WAIT)).isTrue();
    return extender.port();
  }

  private static ExtenderClient https(int port, TestCertificates.Issued presenting)
      throws Exception {
    return new ExtenderClient(
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(TestCertificates.clientContext(ca, presenting))
            .connectTimeout(Duration.ofSeconds(5))
            .build(),
        "https://localhost:" + port);
  }

  private Path chain() throws Exception {
    return TestCertificates.pem(dir.resolve("tls.crt"), server.certificate(), ca.certificate());
  }

  @Test
  void servesHttpsWithAPkcs1RsaKey() throws Exception {
    Path key = TestCertificates.pem(dir.resolve("tls.key"), server.keys().getPrivate());
    assertThat(Files.readString(key)).startsWith("-----BEGIN RSA PRIVATE KEY-----");

    int port = start(new TlsSettings(chain(), key, null));

    ExtenderClient.Answer answer = https(port, null)
        .post("/scheduler/predicates", WireFormatTest.sample("predicates-names.json"));
    assertThat(answer.code()).isEqualTo(200);
    assertThat(answer.json().get("FailedNodes").propertyNames())
        .containsExactly("gpu-a", "gpu-b", "cpu-1");
  }

  @Test
  void servesHttpsWithAnEcKeyInSec1OrPkcs8Form() throws Exception {
    KeyPair keys = TestCertificates.ec();
    TestCertificates.Issued ecServer =
        TestCertificates.issue("gpu-quota-admission", keys, ca, true);
    Path crt = TestCertificates.pem(dir.resolve("ec.crt"), ecServer.certificate());
    Path sec1 = TestCertificates.sec1WithCurve(dir.resolve("ec.key"), keys);
    Path pkcs8 = TestCertificates.pkcs8(dir.resolve("ec-pkcs8.key"), keys);
    Path sec1WithoutCurve = TestCertificates.pem(dir.resolve("bare.key"), keys.getPrivate());
    assertThat(Files.readString(sec1)).startsWith("-----BEGIN EC PRIVATE KEY-----");
    assertThat(Files.readString(pkcs8)).startsWith("-----BEGIN PRIVATE KEY-----");

    assertThat(TlsContexts.privateKey(pkcs8)).isEqualTo(keys.getPrivate());
    assertThat(((java.security.interfaces.ECPrivateKey) TlsContexts.privateKey(sec1)).getS())
        .isEqualTo(((java.security.interfaces.ECPrivateKey) keys.getPrivate()).getS());
    assertThatThrownBy(() -> TlsContexts.privateKey(sec1WithoutCurve))
        .hasMessageEndingWith("it names no curve; convert it with openssl pkcs8 -topk8 -nocrypt");
    int port = start(new TlsSettings(crt, sec1, null));

    assertThat(https(port, null).get("/healthz").code()).isEqualTo(200);
  }

  @Test
  void clientVerificationAdmitsTheCasClientsRejectsOthersAndLeavesTheProbesOpen() throws Exception {
    Path key = TestCertificates.pkcs8(dir.resolve("tls.key"), server.keys());
    Path clientCa = TestCertificates.pem(dir.resolve("client-ca.crt"), ca.certificate());
    int port = start(new TlsSettings(chain(), key, clientCa));

    ExtenderClient.Answer known = https(port, client).get("/healthz");

    assertThat(known.code()).isEqualTo(200);
    // A certificate the CA did not sign is not offered by the client (it is not for this CA), or
    // fails the
    // handshake: either way the scheduler's verbs are refused.
    ExtenderClient intruder = https(port, TestCertificates.selfSigned("intruder"));
    int intruderCode;
    try {
      intruderCode = intruder.post("/scheduler/predicates", "{}").code();
    } catch (IOException e) {
      intruderCode = -1;
    }
    assertThat(intruderCode).isIn(-1, 401);
    ExtenderClient anonymous = https(port, null);
    assertThat(anonymous.get("/healthz").code())
        .as("the kubelet's probe has no certificate")
        .isEqualTo(200);
    assertThat(anonymous.get("/readyz").code()).isEqualTo(200);
    ExtenderClient.Answer refused = anonymous.post("/scheduler/predicates", "{}");
    assertThat(refused.code()).isEqualTo(401);
    assertThat(refused.body()).contains("client certificate", "/scheduler/predicates");
    assertThat(anonymous.get("/metrics").code()).isEqualTo(401);
    assertThat(https(port, client).get("/metrics").code()).isEqualTo(200);
  }

  @Test
  void unusableKeyFilesAreRefusedWithTheFileNamed() throws Exception {
    Path garbage = Files.writeString(dir.resolve("garbage.key"), "not a key");
    Path encrypted = Files.writeString(
        dir.resolve("enc.key"),
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
    Path noCertificate = Files.writeString(dir.resolve("empty.crt"), "");

    assertThatThrownBy(() -> TlsContexts.privateKey(garbage))
        .hasMessage(garbage + ": no PEM private key (BEGIN PRIVATE KEY) in it");
    assertThatThrownBy(() -> TlsContexts.privateKey(encrypted))
        .hasMessageContaining("encrypted keys are not supported");
    assertThatThrownBy(() -> TlsContexts.certificates(noCertificate))
        .hasMessageStartingWith(noCertificate.toString());
  }
}
