package io.kubeaccel.extender;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Enumeration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.TrustManager;

/**
 * Builds the server's {@link SSLContext} from PEM files as Kubernetes keeps them ({@code tls.crt}, {@code tls.key},
 * a CA bundle), with nothing but the JDK: PKCS#8 keys directly, PKCS#1 RSA and SEC1 EC keys (what openssl and
 * cert-manager write by default) wrapped into PKCS#8 first.
 */
final class TlsContexts {

  private static final Pattern PEM_KEY =
      Pattern.compile("-----BEGIN ([A-Z ]*PRIVATE KEY)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
  /** AlgorithmIdentifier of rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters. */
  private static final byte[] RSA_ALGORITHM = {
    0x30,
    0x0d,
    0x06,
    0x09,
    0x2a,
    (byte) 0x86,
    0x48,
    (byte) 0x86,
    (byte) 0xf7,
    0x0d,
    0x01,
    0x01,
    0x01,
    0x05,
    0x00
  };
  /** The OID of id-ecPublicKey (1.2.840.10045.2.1), tag and length included. */
  private static final byte[] EC_PUBLIC_KEY_OID = {
    0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01
  };

  private TlsContexts() {}

  /**
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  static SSLContext serverContext(TlsSettings tls) {
    try {
      ReloadingKeyManager keyManager = new ReloadingKeyManager(
          tls.certificate(), tls.key(), TlsContexts::pair, Clock.systemUTC(), RELOAD_INTERVAL);
      SSLContext context = SSLContext.getInstance("TLS");
      TrustManager[] trustManagers = tls.clientCa() == null
          ? null
          : new TrustManager[] {
            new ReloadingTrustManager(
                tls.clientCa(),
                () -> invalidateSessions(context),
                Clock.systemUTC(),
                RELOAD_INTERVAL)
          };
      context.init(new KeyManager[] {keyManager}, trustManagers, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot set up TLS with certificate " + tls.certificate()
          + " and key " + tls.key() + ": " + e.getMessage());
    }
  }

  /** Ends every server session of {@code context}: clients do a full handshake, their certificate checked anew. */
  static void invalidateSessions(SSLContext context) {
    SSLSessionContext sessions = context.getServerSessionContext();
    for (Enumeration<byte[]> ids = sessions.getIds(); ids.hasMoreElements(); ) {
      SSLSession session = sessions.getSession(ids.nextElement());
      if (session != null) {
        session.invalidate();
      }
    }
  }

  /** How often, at most, the certificate and CA files are looked at for a renewal. */
  static final Duration RELOAD_INTERVAL = Duration.ofSeconds(10);

  /** Reads a serving pair. */
  static ReloadingKeyManager.Pair pair(Path certificate, Path key) {
    List<X509Certificate> chain = certificates(certificate);
    PrivateKey privateKey = privateKey(key);
    if (!chain.get(0).getPublicKey().getAlgorithm().equals(privateKey.getAlgorithm())) {
      throw new IllegalArgumentException("the key in " + key + " is " + privateKey.getAlgorithm()
          + " but the certificate in " + certificate + " holds a "
          + chain.get(0).getPublicKey().getAlgorithm()
          + " key");
    }
    return new ReloadingKeyManager.Pair(null, chain.toArray(new X509Certificate[0]), privateKey);
  }

  /** Every certificate in a PEM (or DER) file, in order. */
  static List<X509Certificate> certificates(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> certificates = new ArrayList<>();
      for (Certificate certificate :
          CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        certificates.add((X509Certificate) certificate);
      }
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException(file + ": no certificate in it");
      }
      return certificates;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(file + ": not a PEM certificate file: " + e.getMessage());
    }
  }

  /** The first private key in a PEM file. */
  static PrivateKey privateKey(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage());
    }
    Matcher pem = PEM_KEY.matcher(text);
    if (!pem.find()) {
      throw new IllegalArgumentException(file + ": no PEM private key (BEGIN PRIVATE KEY) in it");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(pem.group(2));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": the key is not valid base64");
    }
    byte[] pkcs8 = switch (pem.group(1)) {
      case "PRIVATE KEY" -> der;
      case "RSA PRIVATE KEY" -> pkcs8(RSA_ALGORITHM, der);
      case "EC PRIVATE KEY" -> pkcs8(ecAlgorithm(der, file), der);
      case "ENCRYPTED PRIVATE KEY" ->
        throw new IllegalArgumentException(
            file + ": encrypted keys are not supported; store the key unencrypted in the Secret");
      default ->
        throw new IllegalArgumentException(file + ": unsupported key type " + pem.group(1));
    };
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException(file + ": not an RSA, EC or EdDSA private key");
  }

  /** PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier, OCTET STRING key }. */
  private static byte[] pkcs8(byte[] algorithm, byte[] key) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00});
    body.writeBytes(algorithm);
    body.writeBytes(tlv(0x04, key));
    return tlv(0x30, body.toByteArray());
  }

  /**
   * The AlgorithmIdentifier for a SEC1 ECPrivateKey: id-ecPublicKey with the named curve from the key's {@code [0]
   * parameters}.
   */
  private static byte[] ecAlgorithm(byte[] sec1, Path file) {
    try {
      return curveOf(sec1, file);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": malformed EC private key: " + e.getMessage());
    }
  }

  private static byte[] curveOf(byte[] sec1, Path file) {
    Der sequence = Der.read(sec1, 0);
    if (sequence.tag != 0x30) {
      throw new IllegalArgumentException("not a SEQUENCE");
    }
    int at = sequence.contentStart;
    while (at < sequence.end) {
      Der element = Der.read(sec1, at);
      if (element.tag == 0xa0) {
        Der oid = Der.read(sec1, element.contentStart);
        if (oid.tag != 0x06) {
          break;
        }
        ByteArrayOutputStream algorithm = new ByteArrayOutputStream();
        algorithm.writeBytes(EC_PUBLIC_KEY_OID);
        algorithm.write(sec1, element.contentStart, oid.end - element.contentStart);
        return tlv(0x30, algorithm.toByteArray());
      }
      at = element.end;
    }
    throw new IllegalArgumentException(
        "it names no curve; convert it with openssl pkcs8 -topk8 -nocrypt");
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = content.length;
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(length >>> (8 * i));
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  /** One DER element's tag and extent. */
  private record Der(int tag, int contentStart, int end) {
    static Der read(byte[] data, int at) {
      if (at + 2 > data.length) {
        throw new IllegalArgumentException("truncated DER");
      }
      int tag = data[at] & 0xff;
      int length = data[at + 1] & 0xff;
      int start = at + 2;
      if (length >= 0x80) {
        int bytes = length & 0x7f;
        if (bytes == 0 || bytes > 4 || start + bytes > data.length) {
          throw new IllegalArgumentException("unsupported DER length");
        }
        length = 0;
        for (int i = 0; i < bytes; i++) {
          length = (length << 8) | (data[start + i] & 0xff);
        }
        start += bytes;
      }
      if (length < 0 || start + length > data.length) {
        throw new IllegalArgumentException("truncated DER");
      }
      return new Der(tag, start, start + length);
    }
  }
}
