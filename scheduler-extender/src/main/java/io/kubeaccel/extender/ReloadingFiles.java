package io.kubeaccel.extender;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Something read from files that may be replaced while the extender runs (a Secret or ConfigMap volume the kubelet
 * updates, cert-manager renewing): {@link #current()} looks at the files at most once per {@code interval} and reads
 * them again when their target, size or modification time changed. Content that cannot be read is logged and the
 * current value kept until the files change again.
 *
 * @param <T> what the files hold
 */
final class ReloadingFiles<T> {

  private static final Logger log = LoggerFactory.getLogger(ReloadingFiles.class);

  private final String what;
  private final List<Path> files;
  private final Supplier<T> loader;
  private final Function<T, String> describe;
  private final Consumer<T> onReload;
  private final Clock clock;
  private final Duration interval;
  private volatile T current;
  private List<Object> stamp;
  private Instant nextLook;

  /**
   * @param what names the content in log lines, e.g. "serving certificate"
   * @param loader reads the files, throwing IllegalArgumentException (naming the file) when it cannot
   * @param describe what a log line says of newly read content
   * @param onReload told of content read again (not of the first)
   * @throws IllegalArgumentException when the files cannot be read at the start
   */
  ReloadingFiles(
      String what,
      List<Path> files,
      Supplier<T> loader,
      Function<T, String> describe,
      Consumer<T> onReload,
      Clock clock,
      Duration interval) {
    this.what = what;
    this.files = List.copyOf(files);
    this.loader = loader;
    this.describe = describe;
    this.onReload = onReload;
    this.clock = clock;
    this.interval = interval;
    this.stamp = stamp(this.files);
    this.current = loader.get();
    this.nextLook = clock.instant().plus(interval);
  }

  /** What identifies the files' content without reading them: resolved target, size and modification time. */
  static List<Object> stamp(List<Path> files) {
    List<Object> stamp = new ArrayList<>();
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

  /** The content, read again first when the interval has passed and the files changed. */
  T current() {
    refresh();
    return current;
  }

  private synchronized void refresh() {
    Instant now = clock.instant();
    if (now.isBefore(nextLook)) {
      return;
    }
    nextLook = now.plus(interval);
    // The stamp is taken before reading, so a change while reading is seen at the next look.
    List<Object> seen = stamp(files);
    if (seen.equals(stamp)) {
      return;
    }
    stamp = seen;
    try {
      current = loader.get();
      log.info("{} reloaded files={} {}", what, files, describe.apply(current));
      onReload.accept(current);
    } catch (IllegalArgumentException e) {
      log.warn(
          "{} changed but cannot be read, keeping the current one reason=\"{}\"",
          what,
          e.getMessage());
    }
  }
}
