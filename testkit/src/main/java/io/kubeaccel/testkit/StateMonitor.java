package io.kubeaccel.testkit;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One lock and one condition for the whole state of a stand-in and its plugins. Changes are rare (a registration, a
 * device-list message), so one condition signalled on every change keeps waiting simple and free of sleeps.
 */
final class StateMonitor {

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  <T> T read(Supplier<T> reader) {
    lock.lock();
    try {
      return reader.get();
    } finally {
      lock.unlock();
    }
  }

  void update(Runnable change) {
    lock.lock();
    try {
      change.run();
    } finally {
      changed.signalAll();
      lock.unlock();
    }
  }

  <T> T updateAndGet(Supplier<T> change) {
    lock.lock();
    try {
      return change.get();
    } finally {
      changed.signalAll();
      lock.unlock();
    }
  }

  /**
   * Waits until {@code probe} returns non-null and returns that. The probe runs under the lock after every change; it
   * may throw to stop waiting early when the awaited state can no longer come.
   *
   * @throws IllegalStateException on timeout or interrupt, naming {@code awaited}
   */
  <T> T await(Supplier<T> probe, Duration timeout, Supplier<String> awaited) {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (true) {
        T result = probe.get();
        if (result != null) {
          return result;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException(
              "timed out after " + timeout + " waiting for " + awaited.get());
        }
        changed.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + awaited.get(), e);
    } finally {
      lock.unlock();
    }
  }
}
