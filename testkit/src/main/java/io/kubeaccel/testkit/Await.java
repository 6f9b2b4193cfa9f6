package io.kubeaccel.testkit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition that another process or thread makes true and that cannot be listened to (a file, a daemon
 * process, a socket): checks it every few milliseconds until it holds or the time is up.
 */
public final class Await {

  private static final long POLL_NANOS = 5_000_000;

  private Await() {}

  /**
   * Returns once {@code condition} holds.
   *
   * @return how long it took
   * @throws IllegalStateException naming {@code what} when it does not hold within {@code timeout}
   */
  public static Duration until(String what, Duration timeout, BooleanSupplier condition) {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("not within " + timeout + ": " + what);
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }
}
