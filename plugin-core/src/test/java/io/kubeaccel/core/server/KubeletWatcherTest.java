package io.kubeaccel.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.testkit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeletWatcherTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir
  Path dir;

  /**
   * After a failed registration the agent's own socket appearing (it serves again before it registers) must not
   * buy another attempt at once: each would spend one of the crash-loop guard's few failures on the same incident.
   * A new kubelet.sock does end the wait.
   */
  @Test
  void afterAFailureOnlyANewKubeletSocketCutsTheBackOffShort() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    HostSettings settings = new HostSettings(
        dir, Duration.ofSeconds(5), Duration.ofSeconds(30), 5, Duration.ofHours(1));
    try (KubeletWatcher watcher = new KubeletWatcher(settings, () -> {
      calls.incrementAndGet();
      return RetryPolicy.Pending.FAILURE;
    })) {
      watcher.start(RetryPolicy.Pending.FAILURE); // the first attempt failed: 1 s to wait

      Files.createFile(dir.resolve(HostSettings.socketName("example.com/card")));
      // Nothing to observe but time: with the events counted, the reconciler would run within
      // milliseconds.
      Thread.sleep(300);
      assertThat(calls).as("reconciliations while backing off").hasValue(0);

      Files.createFile(dir.resolve(HostSettings.KUBELET_SOCKET));
      Await.until("reconciled for the new kubelet.sock", WAIT, () -> calls.get() == 1);
    }
  }

  /** A kubelet found bound but not listening at start is tried again within milliseconds, not a second later. */
  @Test
  void aKubeletNotListeningAtStartIsTriedAgainSoon() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    HostSettings settings = new HostSettings(
        dir, Duration.ofSeconds(5), Duration.ofSeconds(30), 5, Duration.ofHours(1));
    try (KubeletWatcher watcher = new KubeletWatcher(
        settings,
        () -> calls.incrementAndGet() < 3
            ? RetryPolicy.Pending.KUBELET
            : RetryPolicy.Pending.NOTHING)) {
      long started = System.nanoTime();
      watcher.start(RetryPolicy.Pending.KUBELET);

      Await.until("tried three times", WAIT, () -> calls.get() >= 3);
      // 10 + 20 + 40 ms by the policy; a start that ignored the first result would wait the 30 s
      // interval.
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }
  }
}
