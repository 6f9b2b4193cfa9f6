package io.kubeaccel.extender;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Keys and X.509 certificates made in memory for the TLS tests: a CA, certificates it signs, self-signed ones. */
final class TestCertificates {

  /** A key pair and its certificate. */
  record Issued(KeyPair keys, X509Certificate certificate) {}

  private static final SecureRandom RANDOM = new SecureRandom();

  private TestCertificates() {}

  static KeyPair rsa() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048, RANDOM);
    return generator.generateKeyPair();
  }

  static KeyPair ec() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  /** A self-signed CA certificate. */
  static Issued authority(String name) throws Exception {
    KeyPair keys = rsa();
    return new Issued(keys, sign(name, keys, name, keys, true, false));
  }

  /** A certificate for {@code localhost} / 127.0.0.1 (server) or a client, signed by {@code issuer}. */
  static Issued issue(String name, KeyPair keys, Issued issuer, boolean server) throws Exception {
    return new Issued(keys, sign(name, keys, subjectOf(issuer), issuer.keys(), false, server));
  }

  /** A self-signed leaf certificate no CA vouches for. */
  static Issued selfSigned(String name) throws Exception {
    KeyPair keys = rsa();
    return new Issued(keys, sign(name, keys, name, keys, false, false));
  }

  private static String subjectOf(Issued issued) {
    return issued.certificate().getSubjectX500Principal().getName().replace("CN=", "");
  }

  private static X509Certificate sign(
      String subject,
      KeyPair subjectKeys,
      String issuer,
      KeyPair issuerKeys,
      boolean ca,
      boolean server)
      throws Exception {
    Instant now = Instant.now();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
        new X500Name("CN=" + issuer),
        new BigInteger(64, RANDOM),
        Date.from(now.minus(Duration.ofMinutes(5))),
        Date.from(now.plus(Duration.ofDays(1))),
        new X500Name("CN=" + subject),
        subjectKeys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    if (server) {
      builder.addExtension(
          Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(
                GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress())
          }));
    }
    String algorithm =
        issuerKeys.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    ContentSigner signer = new JcaContentSignerBuilder(algorithm).build(issuerKeys.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
  }

  /** Writes PEM: certificates, or a private key as PKCS#8 ({@code pkcs8}) or in its traditional form. */
  static Path pem(Path file, Object... objects) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      for (Object object : objects) {
        writer.writeObject(object);
      }
    }
    Files.writeString(file, text.toString());
    return file;
  }

  /** An EC key in SEC1 form naming its curve (as {@code openssl ecparam -genkey} writes it). */
  static Path sec1WithCurve(Path file, KeyPair keys) throws Exception {
    java.security.interfaces.ECPrivateKey key =
        (java.security.interfaces.ECPrivateKey) keys.getPrivate();
    byte[] der = new org.bouncycastle.asn1.sec.ECPrivateKey(
            256, key.getS(), org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1)
        .getEncoded();
    StringWriter text = new StringWriter();
    try (org.bouncycastle.util.io.pem.PemWriter writer =
        new org.bouncycastle.util.io.pem.PemWriter(text)) {
      writer.writeObject(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", der));
    }
    Files.writeString(file, text.toString());
    return file;
  }

  static Path pkcs8(Path file, KeyPair keys) throws Exception {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
    }
    Files.writeString(file, text.toString());
    return file;
  }

  /** A client context trusting {@code ca}, presenting {@code client} when not null. */
  static SSLContext clientContext(Issued ca, Issued client) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory trustManagers =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    KeyManagerFactory keyManagers = null;
    if (client != null) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry(
          "client", client.keys().getPrivate(), new char[0], new java.security.cert.Certificate[] {
            client.certificate()
          });
      keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, new char[0]);
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(
        keyManagers == null ? null : keyManagers.getKeyManagers(),
        trustManagers.getTrustManagers(),
        null);
    return context;
  }
}
