package io.kubeaccel.core.ledger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoint on disk: read whole, replaced whole and atomically. A write goes to a temp file in the same directory
 * ({@code .<name>.<random>.tmp}, mode 0600), is forced to the device, renamed over the checkpoint and the directory is
 * forced too, so after a crash at any point the file holds either the previous content or the new one, never a mix.
 * Not thread-safe: the {@link Ledger} serialises access.
 */
final class CheckpointFile {

  /** Larger files are not read: a node's ledger is a few hundred grants, some tens of KiB. */
  static final long MAX_BYTES = 16L * 1024 * 1024;

  private static final Logger log = LoggerFactory.getLogger(CheckpointFile.class);
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  /** A step of a write that a test can make fail; production passes {@link #NONE}. */
  @FunctionalInterface
  interface WriteFault {
    WriteFault NONE = temp -> {};

    /** Called with the complete, forced temp file just before it is renamed over the checkpoint. */
    void beforeRename(Path temp) throws IOException;
  }

  private final Path path;
  private final Path dir;
  private final String tempPrefix;
  private final WriteFault fault;

  CheckpointFile(Path path, WriteFault fault) {
    this.path = path.toAbsolutePath();
    this.dir = this.path.getParent();
    this.tempPrefix = "." + this.path.getFileName() + ".";
    this.fault = fault;
  }

  Path path() {
    return path;
  }

  /**
   * The checkpoint's bytes; empty if there is no file.
   *
   * @throws TooLargeException if the file is larger than {@link #MAX_BYTES}
   * @throws IOException if it cannot be read (including when it is not a regular file)
   */
  Optional<byte[]> read() throws IOException {
    if (Files.notExists(path)) {
      return Optional.empty();
    }
    if (!Files.isRegularFile(path)) {
      throw new IOException("not a regular file");
    }
    try (InputStream in = Files.newInputStream(path)) {
      if (Files.size(path) > MAX_BYTES) {
        throw new TooLargeException();
      }
      // Bounded read: the size check must hold even if the file grows while it is read.
      byte[] content = in.readNBytes((int) MAX_BYTES + 1);
      if (content.length > MAX_BYTES) {
        throw new TooLargeException();
      }
      return Optional.of(content);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /**
   * Moves the checkpoint aside to {@code <name>.corrupt-<epochMillis>} (with {@code -<n>} added if that exists).
   *
   * @return where it went
   * @throws IOException if it cannot be moved
   */
  Path setAside(Clock clock) throws IOException {
    String base = path.getFileName() + ".corrupt-" + clock.millis();
    for (int attempt = 0; ; attempt++) {
      Path target = dir.resolve(attempt == 0 ? base : base + "-" + attempt);
      try {
        // No ATOMIC_MOVE: rename(2) would silently replace an earlier set-aside file; a plain move
        // refuses an existing target, and within one directory it is a rename all the same.
        Files.move(path, target);
        syncDirectory();
        return target;
      } catch (FileAlreadyExistsException e) {
        if (attempt >= 100) {
          throw e;
        }
      }
    }
  }

  /** Removes temp files a crash left between creating and renaming them. Best effort. */
  void removeStaleTempFiles() {
    // A filter, not a glob: the checkpoint's name may hold glob characters.
    DirectoryStream.Filter<Path> ours = entry -> {
      String name = entry.getFileName().toString();
      return name.startsWith(tempPrefix) && name.endsWith(".tmp");
    };
    try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, ours)) {
      for (Path temp : temps) {
        Files.deleteIfExists(temp);
        log.info("removed stale checkpoint temp file file={}", temp);
      }
    } catch (IOException e) {
      log.warn("could not remove stale checkpoint temp files dir={} error={}", dir, e.toString());
    }
  }

  /**
   * Replaces the checkpoint with {@code content}, atomically and durably. On failure the previous file is untouched
   * and no temp file is left.
   *
   * @throws IOException if the temp file cannot be created, written, forced or renamed
   */
  void replace(byte[] content) throws IOException {
    Path temp = Files.createTempFile(dir, tempPrefix, ".tmp", ownerOnly());
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      fault.beforeRename(temp);
      Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException | Error e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    // The rename is durable only once the directory entry is; after it the new content is in
    // place, so a failure here must not undo the write in memory.
    syncDirectory();
  }

  private void syncDirectory() {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Some file systems cannot open or force a directory; the rename is still atomic there.
      log.debug("directory fsync not possible dir={} error={}", dir, e.toString());
    }
  }

  private FileAttribute<?>[] ownerOnly() {
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)};
    }
    return new FileAttribute<?>[0];
  }

  /** The checkpoint is larger than {@link #MAX_BYTES}. */
  static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    TooLargeException() {
      super("larger than " + MAX_BYTES + " bytes");
    }
  }
}
