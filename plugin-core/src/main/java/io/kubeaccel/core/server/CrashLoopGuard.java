package io.kubeaccel.core.server;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Counts failures to serve or register. More than {@code maxFailures} within {@code window} means the agent cannot
 * make progress on its own: it should exit non-zero and let its DaemonSet restart it with back-off, where an operator
 * sees the crash loop (NVIDIA's plugin uses the same rule: more than 5 within an hour).
 */
final class CrashLoopGuard {

  private final int maxFailures;
  private final Duration window;
  private final Clock clock;
  private final Deque<Instant> failures = new ArrayDeque<>();

  CrashLoopGuard(int maxFailures, Duration window, Clock clock) {
    this.maxFailures = maxFailures;
    this.window = window;
    this.clock = clock;
  }

  /** Records a failure now; returns whether the agent is still within its budget. */
  synchronized boolean recordFailure() {
    Instant now = clock.instant();
    failures.addLast(now);
    while (!failures.isEmpty() && failures.peekFirst().isBefore(now.minus(window))) {
      failures.removeFirst();
    }
    return failures.size() <= maxFailures;
  }

  synchronized int recentFailures() {
    return failures.size();
  }
}
