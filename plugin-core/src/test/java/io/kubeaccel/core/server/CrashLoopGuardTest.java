package io.kubeaccel.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CrashLoopGuardTest {

  private static final class MutableClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void moreThanTheAllowedFailuresWithinTheWindowExhaustTheBudget() {
    MutableClock clock = new MutableClock();
    CrashLoopGuard guard = new CrashLoopGuard(5, Duration.ofHours(1), clock);
    for (int i = 0; i < 5; i++) {
      assertThat(guard.recordFailure()).isTrue();
      clock.now = clock.now.plusSeconds(60);
    }
    assertThat(guard.recordFailure()).isFalse();
  }

  @Test
  void failuresOlderThanTheWindowAreForgotten() {
    MutableClock clock = new MutableClock();
    CrashLoopGuard guard = new CrashLoopGuard(5, Duration.ofHours(1), clock);
    for (int i = 0; i < 5; i++) {
      guard.recordFailure();
    }
    clock.now = clock.now.plus(Duration.ofMinutes(61));
    assertThat(guard.recordFailure()).isTrue();
    assertThat(guard.recentFailures()).isEqualTo(1);
  }
}
