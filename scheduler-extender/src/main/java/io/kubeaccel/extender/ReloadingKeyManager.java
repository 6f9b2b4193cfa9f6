package io.kubeaccel.extender;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving certificate, read again when its files change (cert-manager renewing a Secret, a kubelet-updated
 * mount), so a renewal needs no restart. The files are looked at, at most once per {@code interval}, when a handshake
 * starts; a new pair that cannot be read is logged and the current one kept. Each pair gets its own alias, so a
 * handshake that chose a certificate gets that certificate's key even if a reload happens in between.
 */
final class ReloadingKeyManager extends X509ExtendedKeyManager {

  private static final Logger log = LoggerFactory.getLogger(ReloadingKeyManager.class);

  /** One loaded pair: its alias, what it was read from, the chain and key. */
  record Pair(String alias, List<Object> stamp, X509Certificate[] chain, PrivateKey key) {}

  private final Path certificate;
  private final Path key;
  private final BiFunction<Path, Path, Pair> loader;
  private final Clock clock;
  private final Duration interval;
  private final Map<String, Pair> recent = new LinkedHashMap<>();
  private volatile Pair current;
  private Instant nextLook;
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
    this.certificate = certificate;
    this.key = key;
    this.loader = loader;
    this.clock = clock;
    this.interval = interval;
    this.current = load();
    this.nextLook = clock.instant().plus(interval);
  }

  /** What identifies the files' content without reading them: resolved target, size and modification time. */
  static List<Object> stamp(Path... files) {
    List<Object> stamp = new java.util.ArrayList<>();
    for (Path file : files) {
      try {
        stamp.add(file.toRealPath().toString());
        stamp.add(Files.size(file));
        stamp.add(Files.getLastModifiedTime(file).toMillis());
      } catch (IOException e) {
        stamp.add("unreadable: " + e.getMessage());
      }
    }
    return stamp;
  }

  private synchronized Pair load() {
    Pair loaded = loader.apply(certificate, key);
    Pair named = new Pair("server-" + ++generation, loaded.stamp(), loaded.chain(), loaded.key());
    recent.put(named.alias(), named);
    while (recent.size() > 2) {
      recent.remove(recent.keySet().iterator().next());
    }
    current = named;
    return named;
  }

  /** Reloads when the files changed since the last look (and the interval has passed). */
  synchronized void refresh() {
    Instant now = clock.instant();
    if (now.isBefore(nextLook)) {
      return;
    }
    nextLook = now.plus(interval);
    if (stamp(certificate, key).equals(current.stamp())) {
      return;
    }
    try {
      Pair fresh = load();
      log.info(
          "serving certificate reloaded cert={} subject=\"{}\" notAfter={}",
          certificate,
          fresh.chain()[0].getSubjectX500Principal().getName(),
          fresh.chain()[0].getNotAfter().toInstant());
    } catch (IllegalArgumentException e) {
      log.warn(
          "serving certificate changed but cannot be read, keeping the current one reason=\"{}\"",
          e.getMessage());
      current = new Pair(current.alias(), stamp(certificate, key), current.chain(), current.key());
      recent.put(current.alias(), current);
    }
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
    refresh();
    Pair pair = current;
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
