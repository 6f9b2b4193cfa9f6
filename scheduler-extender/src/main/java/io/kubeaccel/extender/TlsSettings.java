package io.kubeaccel.extender;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The extender's TLS material, PEM files as a {@code kubernetes.io/tls} Secret holds them.
 *
 * @param certificate the server certificate chain ({@code tls.crt}), leaf first
 * @param key its private key ({@code tls.key}): PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or
 *     SEC1 ({@code EC PRIVATE KEY}), unencrypted
 * @param clientCa CA certificates a client must present a certificate from, or null to accept any client
 */
public record TlsSettings(Path certificate, Path key, Path clientCa) {

  /**
   * The JDK's switch for stateless TLS 1.3 session tickets on the server side, read once when its TLS classes load.
   * The extender turns them off before anything uses TLS: sessions then live in the server's cache, where a reloaded
   * client CA bundle can end them ({@code ReloadingTrustManager}); a stateless ticket would let a client resume past a
   * CA taken out of the bundle.
   */
  public static final String SESSION_TICKETS_PROPERTY =
      "jdk.tls.server.enableSessionTicketExtension";

  public TlsSettings {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(key, "key");
  }
}
