package io.kubeaccel.extender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client CA bundle, rotated under a running extender. */
class ReloadingTrustManagerTest {

  private static TestCertificates.Issued oldCa;
  private static TestCertificates.Issued newCa;
  private static TestCertificates.Issued oldClient;
  private static TestCertificates.Issued newClient;

  @TempDir
  Path dir;

  private final AtomicInteger reloads = new AtomicInteger();

  private final ExtenderDecisionsTest.MutableClock clock =
      new ExtenderDecisionsTest.MutableClock(Instant.parse("2026-11-23T10:00:00Z"));

  @BeforeAll
  static void certificates() throws Exception {
    oldCa = TestCertificates.authority("old client CA");
    newCa = TestCertificates.authority("new client CA");
    oldClient = TestCertificates.issue("kube-scheduler", TestCertificates.ec(), oldCa, false);
    newClient = TestCertificates.issue("kube-scheduler", TestCertificates.ec(), newCa, false);
  }

  /** Replaces the bundle as the kubelet updates a volume: a new file, then an atomic rename over the old one. */
  private Path publish(String content) throws Exception {
    Path bundle = dir.resolve("ca.crt");
    Path next = Files.writeString(dir.resolve("ca.crt.next"), content);
    Files.move(next, bundle, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return bundle;
  }

  private Path publish(TestCertificates.Issued... cas) throws Exception {
    Path written = TestCertificates.pem(dir.resolve("pem.tmp"), (Object[]) certificatesOf(cas));
    return publish(Files.readString(written));
  }

  private static X509Certificate[] certificatesOf(TestCertificates.Issued... issued) {
    X509Certificate[] certificates = new X509Certificate[issued.length];
    for (int i = 0; i < issued.length; i++) {
      certificates[i] = issued[i].certificate();
    }
    return certificates;
  }

  private static void check(ReloadingTrustManager trust, TestCertificates.Issued client)
      throws CertificateException {
    trust.checkClientTrusted(new X509Certificate[] {client.certificate()}, "EC");
  }

  @Test
  void aRotatedBundleIsTrustedAfterTheNextLookAndTheOldCaNoLonger() throws Exception {
    ReloadingTrustManager trust = new ReloadingTrustManager(
        publish(oldCa), reloads::incrementAndGet, clock, Duration.ofSeconds(10));
    assertThatCode(() -> check(trust, oldClient)).doesNotThrowAnyException();
    assertThatThrownBy(() -> check(trust, newClient)).isInstanceOf(CertificateException.class);

    publish(oldCa, newCa); // the rotation's overlap: both
    clock.advance(Duration.ofSeconds(11));
    assertThatCode(() -> check(trust, newClient)).doesNotThrowAnyException();
    assertThat(trust.getAcceptedIssuers()).hasSize(2);

    publish(newCa);
    assertThatCode(() -> check(trust, oldClient))
        .as("not looked at again yet")
        .doesNotThrowAnyException();
    clock.advance(Duration.ofSeconds(11));
    assertThatThrownBy(() -> check(trust, oldClient)).isInstanceOf(CertificateException.class);
    assertThatCode(() -> check(trust, newClient)).doesNotThrowAnyException();
    assertThat(trust.getAcceptedIssuers()).containsExactly(newCa.certificate());
    assertThat(reloads).as("sessions ended at each new bundle").hasValue(2);
  }

  @Test
  void aBrokenBundleKeepsTheCurrentCas() throws Exception {
    ReloadingTrustManager trust = new ReloadingTrustManager(
        publish(oldCa), reloads::incrementAndGet, clock, Duration.ofSeconds(10));

    publish("-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
    clock.advance(Duration.ofSeconds(11));

    assertThatCode(() -> check(trust, oldClient)).doesNotThrowAnyException();
    assertThat(trust.getAcceptedIssuers()).containsExactly(oldCa.certificate());
    assertThat(reloads).hasValue(0);
  }

  @Test
  void aBundleThatCannotBeReadAtTheStartIsRefusedNamingTheFile() throws Exception {
    Path bundle = publish("not a certificate");

    assertThatThrownBy(() -> new ReloadingTrustManager(
            bundle, reloads::incrementAndGet, clock, Duration.ofSeconds(10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(bundle.toString());
  }

  @Test
  void itNeverVouchesForAServer() throws Exception {
    ReloadingTrustManager trust = new ReloadingTrustManager(
        publish(oldCa), reloads::incrementAndGet, clock, Duration.ofSeconds(10));

    assertThatThrownBy(
            () -> trust.checkServerTrusted(new X509Certificate[] {oldClient.certificate()}, "EC"))
        .isInstanceOf(CertificateException.class);
  }
}
