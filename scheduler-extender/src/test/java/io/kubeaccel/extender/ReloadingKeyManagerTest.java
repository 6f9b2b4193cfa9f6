package io.kubeaccel.extender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A renewed serving certificate is picked up without a restart; a broken renewal keeps the current one. */
class ReloadingKeyManagerTest {

  private static TestCertificates.Issued ca;
  private static TestCertificates.Issued first;
  private static TestCertificates.Issued renewed;

  @TempDir
  Path dir;

  private final ExtenderDecisionsTest.MutableClock clock =
      new ExtenderDecisionsTest.MutableClock(Instant.parse("2026-11-23T10:00:00Z"));

  @BeforeAll
  static void certificates() throws Exception {
    ca = TestCertificates.authority("kubeaccel test CA");
    first = TestCertificates.issue("first", TestCertificates.rsa(), ca, true);
    renewed = TestCertificates.issue("renewed", TestCertificates.ec(), ca, true);
  }

  /** Writes a pair as the kubelet updates a Secret volume: new files under a fresh directory, one symlink swapped. */
  private void publish(TestCertificates.Issued pair, String version) throws Exception {
    Path data = Files.createDirectories(dir.resolve(version));
    TestCertificates.pem(data.resolve("tls.crt"), pair.certificate());
    TestCertificates.pkcs8(data.resolve("tls.key"), pair.keys());
    Path link = dir.resolve("..data.tmp");
    Files.deleteIfExists(link);
    Files.createSymbolicLink(link, data.getFileName());
    Files.move(
        link,
        dir.resolve("..data"),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    if (!Files.exists(dir.resolve("tls.crt"), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Files.createSymbolicLink(dir.resolve("tls.crt"), Path.of("..data/tls.crt"));
      Files.createSymbolicLink(dir.resolve("tls.key"), Path.of("..data/tls.key"));
    }
  }

  private ReloadingKeyManager manager() {
    return new ReloadingKeyManager(
        dir.resolve("tls.crt"),
        dir.resolve("tls.key"),
        TlsContexts::pair,
        clock,
        Duration.ofSeconds(10));
  }

  @Test
  void aRenewedSecretIsServedAfterTheNextLookAndTheOldAliasStillResolves() throws Exception {
    publish(first, "v1");
    ReloadingKeyManager keys = manager();
    String before = keys.chooseServerAlias("RSA", null, null);
    assertThat(keys.getCertificateChain(before)[0]).isEqualTo(first.certificate());

    publish(renewed, "v2");
    assertThat(keys.chooseServerAlias("RSA", null, null))
        .as("not looked at yet")
        .isEqualTo(before);
    clock.advance(Duration.ofSeconds(11));
    String after = keys.chooseServerAlias("EC", null, null);

    assertThat(after).isNotEqualTo(before);
    assertThat(keys.getCertificateChain(after)[0]).isEqualTo(renewed.certificate());
    assertThat(keys.getPrivateKey(after)).isEqualTo(renewed.keys().getPrivate());
    assertThat(keys.getPrivateKey(before))
        .as("a handshake that chose the old pair finishes with it")
        .isEqualTo(first.keys().getPrivate());
    assertThat(keys.chooseServerAlias("RSA", null, null))
        .as("the new key is EC")
        .isNull();
  }

  @Test
  void aBrokenRenewalKeepsServingTheCurrentPair() throws Exception {
    publish(first, "v1");
    ReloadingKeyManager keys = manager();
    String alias = keys.chooseServerAlias("RSA", null, null);

    Path broken = Files.createDirectories(dir.resolve("v2"));
    Files.writeString(broken.resolve("tls.crt"), "not a certificate");
    Files.writeString(broken.resolve("tls.key"), "not a key");
    Files.move(
        Files.createSymbolicLink(dir.resolve("..data.tmp"), Path.of("v2")),
        dir.resolve("..data"),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    clock.advance(Duration.ofSeconds(11));

    assertThat(keys.chooseServerAlias("RSA", null, null)).isEqualTo(alias);
    assertThat(keys.getCertificateChain(alias)[0]).isEqualTo(first.certificate());
  }

  @Test
  void aKeyThatDoesNotBelongToTheCertificateIsRefusedAtStart() throws Exception {
    TestCertificates.pem(dir.resolve("tls.crt"), first.certificate());
    TestCertificates.pkcs8(dir.resolve("tls.key"), renewed.keys());
    assertThatThrownBy(this::manager)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is EC but the certificate")
        .hasMessageContaining("tls.crt");
  }
}
