package io.kubeaccel.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.testkit.Await;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The delayed second withdrawal of a stale capacity annotation: once after the delay, never after close. */
class NodeServicesTest {

  @Test
  void aDelayedActionRunsOnceAfterItsDelay() throws Exception {
    AtomicInteger runs = new AtomicInteger();

    AutoCloseable pending = NodeServices.later(Duration.ofMillis(100), runs::incrementAndGet);

    Await.until("the action ran", Duration.ofSeconds(10), () -> runs.get() == 1);
    // Nothing to observe but time: a second run would come within twice the delay.
    Thread.sleep(200);
    assertThat(runs).hasValue(1);
    pending.close();
  }

  @Test
  void aDelayedActionClosedFirstNeverRuns() throws Exception {
    AtomicInteger runs = new AtomicInteger();

    NodeServices.later(Duration.ofMillis(300), runs::incrementAndGet).close();
    // Nothing to observe but time: the action would have run after 300 ms.
    Thread.sleep(600);

    assertThat(runs).hasValue(0);
  }
}
