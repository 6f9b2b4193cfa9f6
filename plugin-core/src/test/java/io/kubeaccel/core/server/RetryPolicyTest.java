package io.kubeaccel.core.server;

import static io.kubeaccel.core.server.RetryPolicy.Pending.FAILURE;
import static io.kubeaccel.core.server.RetryPolicy.Pending.KUBELET;
import static io.kubeaccel.core.server.RetryPolicy.Pending.NOTHING;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private final RetryPolicy retries = new RetryPolicy(Duration.ofSeconds(1));

  @Test
  void settledChecksAtTheInterval() {
    assertThat(retries.next(NOTHING, true)).hasSeconds(1);
    assertThat(retries.next(NOTHING, false)).hasSeconds(1);
  }

  @Test
  void aKubeletThatIsStartingIsTriedAgainWithinMillisecondsThenAtMostEveryInterval() {
    assertThat(millis(KUBELET, false, 9))
        .containsExactly(10L, 20L, 40L, 80L, 160L, 320L, 640L, 1000L, 1000L);
  }

  /**
   * The restart seen in the bench before this policy: two deletions and the new kubelet.sock each woke the watcher,
   * the Register right after the file appeared was refused (bound, not yet listening), and the next look came 8 s
   * later. Every event now starts the short sequence over.
   */
  @Test
  void everyDirectoryEventStartsTheKubeletSequenceOver() {
    assertThat(retries.next(KUBELET, true)).hasMillis(10); // our socket deleted
    assertThat(retries.next(KUBELET, true)).hasMillis(10); // kubelet.sock deleted
    assertThat(retries.next(KUBELET, true)).hasMillis(10); // kubelet.sock created, Register refused
    assertThat(retries.next(KUBELET, false)).hasMillis(20);
    assertThat(retries.next(NOTHING, false)).hasSeconds(1); // registered
    assertThat(retries.next(KUBELET, false)).hasMillis(10);
  }

  @Test
  void failuresBackOffFromOneToThirtySecondsAndEventsDoNotShortenThat() {
    assertThat(millis(FAILURE, true, 7))
        .containsExactly(1000L, 2000L, 4000L, 8000L, 16000L, 30000L, 30000L);
    assertThat(retries.next(NOTHING, false)).hasSeconds(1);
    assertThat(retries.next(FAILURE, false)).hasSeconds(1);
  }

  @Test
  void aFailureOutweighsWaitingForTheKubelet() {
    assertThat(RetryPolicy.worse(KUBELET, FAILURE)).isEqualTo(FAILURE);
    assertThat(RetryPolicy.worse(FAILURE, NOTHING)).isEqualTo(FAILURE);
    assertThat(RetryPolicy.worse(NOTHING, KUBELET)).isEqualTo(KUBELET);
    assertThat(retries.next(FAILURE, false)).hasSeconds(1);
    assertThat(retries.next(KUBELET, false)).as("no failure left: short again").hasMillis(10);
    assertThat(retries.next(FAILURE, false)).as("failure back-off restarted").hasSeconds(1);
  }

  private long[] millis(RetryPolicy.Pending pending, boolean woken, int times) {
    long[] waits = new long[times];
    for (int i = 0; i < times; i++) {
      waits[i] = retries.next(pending, woken).toMillis();
    }
    return waits;
  }
}
