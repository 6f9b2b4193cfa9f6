package io.kubeaccel.core.kube;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential retry delays from {@link #FIRST} doubling to {@link #MAX}, with up to 20% added jitter so that the
 * agents of a whole cluster do not retry in lockstep after an API server outage.
 */
final class Backoff {

  static final Duration FIRST = Duration.ofMillis(100);
  static final Duration MAX = Duration.ofSeconds(30);

  private Backoff() {}

  /** The delay before the next attempt after {@code failures} consecutive failures (1 for the first). */
  static Duration afterFailures(int failures) {
    int doublings = Math.min(Math.max(failures - 1, 0), 20);
    long base = Math.min(FIRST.toMillis() << doublings, MAX.toMillis());
    long jitter = ThreadLocalRandom.current().nextLong(base / 5 + 1);
    return Duration.ofMillis(Math.min(base + jitter, MAX.toMillis()));
  }
}
