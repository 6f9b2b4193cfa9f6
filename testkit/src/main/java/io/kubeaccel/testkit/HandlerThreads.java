package io.kubeaccel.testkit;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads one gRPC server runs its handlers on. A server's own termination does not wait for handlers still
 * returning, and a handler that finishes after the transport's event loop has stopped makes Netty log a rejected
 * task; owning the executor lets a stand-in stop only after its last handler returned.
 */
final class HandlerThreads {

  private HandlerThreads() {}

  static ExecutorService start(String name) {
    AtomicInteger count = new AtomicInteger();
    return Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Waits for running handlers to return; no new ones start. */
  static boolean stop(ExecutorService handlers, Duration timeout) throws InterruptedException {
    handlers.shutdown();
    return handlers.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }
}
