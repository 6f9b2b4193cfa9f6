package io.kubeaccel.extender;

import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The CAs whose client certificates the extender accepts ({@code --tls-client-ca-file}), read again when the bundle
 * changes (a rotated CA in a Secret or ConfigMap volume), so a CA rotation needs no restart; a bundle that cannot be
 * read is logged and the current CAs kept ({@link ReloadingFiles}). Looked at, at most once per {@code interval}, when
 * a handshake asks for or checks a client certificate. A new bundle also ends the TLS sessions verified under the old
 * one ({@code onReload}), so a client of a CA taken out cannot resume its way back in.
 */
final class ReloadingTrustManager extends X509ExtendedTrustManager {

  private final ReloadingFiles<X509ExtendedTrustManager> trust;

  /**
   * @param onReload run after a new bundle was read, e.g. to invalidate the sessions verified under the old one
   * @throws IllegalArgumentException naming the file when the bundle cannot be read at the start
   */
  ReloadingTrustManager(Path bundle, Runnable onReload, Clock clock, Duration interval) {
    this.trust = new ReloadingFiles<>(
        "client CA bundle",
        List.of(bundle),
        () -> load(bundle),
        loaded -> "authorities=" + loaded.getAcceptedIssuers().length,
        loaded -> onReload.run(),
        clock,
        interval);
  }

  /** The JDK's trust manager over every certificate of {@code bundle}. */
  static X509ExtendedTrustManager load(Path bundle) {
    try {
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      int n = 0;
      for (X509Certificate ca : TlsContexts.certificates(bundle)) {
        trusted.setCertificateEntry("client-ca-" + n++, ca);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trusted);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager extended) {
          return extended;
        }
      }
      throw new IllegalArgumentException(bundle + ": the JDK offers no X.509 trust manager");
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalArgumentException(
          bundle + ": cannot use it as a CA bundle: " + e.getMessage());
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    trust.current().checkClientTrusted(chain, authType, socket);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    trust.current().checkClientTrusted(chain, authType, engine);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    trust.current().checkClientTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("the extender checks only client certificates");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("the extender checks only client certificates");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("the extender checks only client certificates");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return trust.current().getAcceptedIssuers();
  }
}
