package io.kubeaccel.core.server;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the device-plugin directory on its own thread and asks for reconciliation: at once when inotify reports a
 * new {@code kubelet.sock} or a deleted file, and every {@link HostSettings#socketCheckInterval()} regardless (a
 * missed or coalesced event then costs at most one interval). While something is pending it looks again sooner, as
 * {@link RetryPolicy} says: within milliseconds while waiting for a kubelet that is starting, with back-off from 1 s
 * to 30 s after a failure, which only a new {@code kubelet.sock} cuts short.
 */
final class KubeletWatcher implements AutoCloseable {

  /** What the watcher drives; returns what is still pending. */
  interface Reconciler {
    RetryPolicy.Pending reconcile();
  }

  private static final Logger log = LoggerFactory.getLogger(KubeletWatcher.class);

  private final HostSettings settings;
  private final Reconciler reconciler;
  private final WatchService watchService;
  private final Thread thread;
  private volatile boolean closed;
  private volatile RetryPolicy.Pending initial = RetryPolicy.Pending.NOTHING;

  KubeletWatcher(HostSettings settings, Reconciler reconciler) throws IOException {
    this.settings = settings;
    this.reconciler = reconciler;
    this.watchService = FileSystems.getDefault().newWatchService();
    watch();
    this.thread = new Thread(this::run, "kubeaccel-kubelet-watch");
    this.thread.setDaemon(true);
  }

  /** Starts watching; {@code initial} is what the first reconciliation (the caller's) left pending. */
  void start(RetryPolicy.Pending initial) {
    this.initial = initial;
    thread.start();
  }

  private void watch() throws IOException {
    settings.deviceDir().register(watchService, ENTRY_CREATE, ENTRY_DELETE);
  }

  private void run() {
    RetryPolicy retries = new RetryPolicy(settings.socketCheckInterval());
    RetryPolicy.Pending pending = initial;
    Duration wait = retries.next(pending, false);
    while (!closed) {
      boolean woken;
      try {
        woken = awaitChange(wait, pending == RetryPolicy.Pending.FAILURE);
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      }
      try {
        pending = reconciler.reconcile();
      } catch (RuntimeException e) {
        log.error("reconcile failed", e);
        pending = RetryPolicy.Pending.FAILURE;
      }
      wait = retries.next(pending, woken);
    }
  }

  /**
   * Waits up to {@code wait} for directory events. The events only wake the watcher: what changed is found by
   * looking at the files, so lost or coalesced events cannot mislead it.
   *
   * @param kubeletOnly after a failure only a new {@code kubelet.sock} cuts the wait short: other events (the agent's
   *     own socket among them) are no reason to try again sooner
   * @return whether events ended the wait (false: it ran out)
   */
  private boolean awaitChange(Duration wait, boolean kubeletOnly) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      WatchKey signalled = left > 0 ? watchService.poll(left, TimeUnit.NANOSECONDS) : null;
      if (signalled == null) {
        return false;
      }
      if (drain(signalled) || !kubeletOnly) {
        return true;
      }
    }
  }

  /** Takes every queued event, {@code first}'s and what arrived meanwhile; true if a kubelet.sock was created. */
  private boolean drain(WatchKey first) {
    boolean kubeletCreated = false;
    WatchKey signalled = first;
    while (signalled != null) {
      for (WatchEvent<?> event : signalled.pollEvents()) {
        if (event.kind() == ENTRY_CREATE
            && HostSettings.KUBELET_SOCKET.equals(((Path) event.context()).toString())) {
          log.info("kubelet socket created dir={}", settings.deviceDir());
          kubeletCreated = true;
        }
      }
      if (!signalled.reset()) {
        rewatch();
      }
      signalled = watchService.poll(); // drain what arrived meanwhile, without waiting
    }
    return kubeletCreated;
  }

  /**
   * The directory itself vanished (e.g. recreated by a kubelet reinstall): watch it again once it exists; until then
   * the periodic check keeps running.
   */
  private void rewatch() {
    if (!Files.isDirectory(settings.deviceDir())) {
      log.warn("device-plugin directory missing dir={}", settings.deviceDir());
      return;
    }
    try {
      watch();
      log.info("device-plugin directory watched again dir={}", settings.deviceDir());
    } catch (IOException e) {
      log.warn(
          "device-plugin directory not watchable dir={} reason=\"{}\"",
          settings.deviceDir(),
          e.toString());
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      watchService.close();
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (IOException e) {
      log.debug("watch service close failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
