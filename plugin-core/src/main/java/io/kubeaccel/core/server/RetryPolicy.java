package io.kubeaccel.core.server;

import java.time.Duration;

/**
 * How long the kubelet watcher waits before it looks again, from what the last reconciliation left pending.
 *
 * <ul>
 *   <li>Nothing pending: the regular socket check interval.
 *   <li>Waiting for the kubelet (no {@code kubelet.sock}, or nobody accepting on it): 10 ms, doubling up to the
 *       check interval. A restarting kubelet creates its socket file when it binds, a moment before it listens, so
 *       the first Register after the file appears can be refused; the next try a few milliseconds later succeeds.
 *       A directory event starts this sequence over: the kubelet's files changed, so it may be there now.
 *   <li>A failure (serve or register failed for a reason of ours or the kubelet's): 1 s, doubling up to 30 s, so
 *       the crash-loop guard's budget spans a minute or more. Events do not restart it; the watcher ends such a wait
 *       early only for a new {@code kubelet.sock}.
 * </ul>
 *
 * Not thread-safe: the watcher thread owns it.
 */
final class RetryPolicy {

  /** What a reconciliation left to do. */
  enum Pending {
    NOTHING,
    KUBELET,
    FAILURE
  }

  static final Duration FIRST_KUBELET_RETRY = Duration.ofMillis(10);
  static final Duration FIRST_FAILURE_RETRY = Duration.ofSeconds(1);
  static final Duration MAX_FAILURE_RETRY = Duration.ofSeconds(30);

  private final Duration checkInterval;
  private Duration kubeletRetry = FIRST_KUBELET_RETRY;
  private Duration failureRetry = FIRST_FAILURE_RETRY;

  RetryPolicy(Duration checkInterval) {
    this.checkInterval = checkInterval;
  }

  /**
   * The wait after a reconciliation that left {@code pending}; {@code woken} when a directory event (not the
   * timeout) started it.
   */
  Duration next(Pending pending, boolean woken) {
    if (woken) {
      kubeletRetry = FIRST_KUBELET_RETRY;
    }
    switch (pending) {
      case NOTHING -> {
        kubeletRetry = FIRST_KUBELET_RETRY;
        failureRetry = FIRST_FAILURE_RETRY;
        return checkInterval;
      }
      case KUBELET -> {
        failureRetry = FIRST_FAILURE_RETRY;
        Duration wait = min(kubeletRetry, checkInterval);
        kubeletRetry = min(kubeletRetry.multipliedBy(2), checkInterval);
        return wait;
      }
      default -> {
        Duration wait = failureRetry;
        failureRetry = min(failureRetry.multipliedBy(2), MAX_FAILURE_RETRY);
        return wait;
      }
    }
  }

  /** The worse of two outcomes: a failure outweighs waiting for the kubelet, which outweighs nothing. */
  static Pending worse(Pending a, Pending b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
