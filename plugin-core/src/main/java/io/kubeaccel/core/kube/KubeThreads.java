package io.kubeaccel.core.kube;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Daemon threads named {@code kubeaccel-kube-<role>}: API work must never keep the agent's JVM alive. */
final class KubeThreads {

  private KubeThreads() {}

  static ThreadFactory named(String role) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      int n = count.getAndIncrement();
      Thread thread = new Thread(task, "kubeaccel-kube-" + role + (n == 0 ? "" : "-" + n));
      thread.setDaemon(true);
      return thread;
    };
  }

  /** One worker thread that runs tasks in order, delayed ones included; cancelled delays are dropped at once. */
  static ScheduledExecutorService singleWorker(String role) {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, named(role));
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    return executor;
  }
}
