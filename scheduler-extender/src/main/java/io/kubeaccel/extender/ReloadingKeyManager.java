package io.kubeaccel.extender;

import java.net.Socket;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The serving certificate, read again when its files change (cert-manager renewing a Secret, a kubelet-updated
 * mount), so a renewal needs no restart. The files are looked at, at most once per {@code interval}, when a handshake
 * starts; a new pair that cannot be read is logged and the current one kept ({@link ReloadingFiles}). Each pair gets
 * its own alias, so a handshake that chose a certificate gets that certificate's key even if a reload happens in
 * between.
 */
final class ReloadingKeyManager extends X509ExtendedKeyManager {

  /** One loaded pair: its alias, the chain and key. */
  record Pair(String alias, X509Certificate[] chain, PrivateKey key) {}

  private final Map<String, Pair> recent = new LinkedHashMap<>();
  private final ReloadingFiles<Pair> pairs;
  private int generation;

  /**
   * @param loader reads a pair from the certificate and key files, throwing IllegalArgumentException when it cannot
   * @throws IllegalArgumentException when the first pair cannot be read
   */
  ReloadingKeyManager(
      Path certificate,
      Path key,
      BiFunction<Path, Path, Pair> loader,
      Clock clock,
      Duration interval) {
    this.pairs = new ReloadingFiles<>(
        "serving certificate",
        List.of(certificate, key),
        () -> named(loader.apply(certificate, key)),
        pair -> "subject=\"" + pair.chain()[0].getSubjectX500Principal().getName() + "\" notAfter="
            + pair.chain()[0].getNotAfter().toInstant(),
        pair -> {},
        clock,
        interval);
  }

  /** {@code loaded} under a new alias, kept with the one before it for handshakes under way. */
  private synchronized Pair named(Pair loaded) {
    Pair named = new Pair("server-" + ++generation, loaded.chain(), loaded.key());
    recent.put(named.alias(), named);
    while (recent.size() > 2) {
      recent.remove(recent.keySet().iterator().next());
    }
    return named;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return chosen(keyType);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return chosen(keyType);
  }

  private String chosen(String keyType) {
    Pair pair = pairs.current();
    String algorithm = pair.key().getAlgorithm();
    boolean matches = keyType == null
        || keyType.equals(algorithm)
        || (keyType.startsWith("EC") && algorithm.equals("EC"))
        || (keyType.equals("RSASSA-PSS") && algorithm.equals("RSA"));
    return matches ? pair.alias() : null;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    String alias = chosen(keyType);
    return alias == null ? null : new String[] {alias};
  }

  @Override
  public synchronized X509Certificate[] getCertificateChain(String alias) {
    Pair pair = recent.get(alias);
    return pair == null ? null : pair.chain().clone();
  }

  @Override
  public synchronized PrivateKey getPrivateKey(String alias) {
    Pair pair = recent.get(alias);
    return pair == null ? null : pair.key();
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}
