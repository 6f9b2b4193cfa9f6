package io.kubeaccel.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.core.health.XidTally;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link XidCounter}: the health monitor's tally exported as a counter, each event once. */
class XidCounterTest {

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final XidCounter counter = new XidCounter(registry);
  private final XidTally tally = new XidTally();

  private Optional<Double> count(String uuid, String xid) {
    return Exposition.of(registry)
        .value("kubeaccel_gpu_xid_errors_total", "uuid", uuid, "xid", xid);
  }

  @Test
  void everyEventIsCountedOnceHoweverOftenTheCounterIsBroughtUpToDate() {
    counter.follow(tally);
    tally.record("GPU-1", 79);
    counter.sync();
    counter.sync(); // a second scrape
    tally.record("GPU-1", 79); // the card is Unhealthy already: counted all the same
    tally.record("GPU-1", 48);
    tally.record("GPU-0", 48);
    counter.sync();

    assertThat(count("GPU-1", "79")).contains(2.0);
    assertThat(count("GPU-1", "48")).contains(1.0);
    assertThat(count("GPU-0", "48")).contains(1.0);
    assertThat(count("GPU-0", "79")).isEmpty();
  }

  @Test
  void eventsBeforeTheMetricsFollowTheTallyAreCountedToo() {
    tally.record("GPU-3", 94);
    tally.record("GPU-3", 94);
    counter.sync(); // nothing to follow yet: nothing happens
    assertThat(Exposition.of(registry).all("kubeaccel_gpu_xid_errors_total")).isEmpty();

    counter.follow(tally);

    assertThat(count("GPU-3", "94")).contains(2.0);
  }

  @Test
  void ignoredXidsAreCountedApart() {
    counter.follow(tally);
    tally.recordIgnored("GPU-0", 13);
    tally.recordIgnored("GPU-0", 13);
    counter.sync();

    assertThat(count("GPU-0", "13")).isEmpty();
    assertThat(Exposition.of(registry)
            .value("kubeaccel_gpu_xid_ignored_total", "uuid", "GPU-0", "xid", "13"))
        .contains(2.0);
  }

  @Test
  void theTallyListsItsCountsByCardAndXid() {
    tally.record("GPU-1", 79);
    tally.record("GPU-0", 79);
    tally.record("GPU-0", 48);
    tally.record("GPU-0", 79);

    assertThat(tally.counts())
        .containsExactly(
            new XidTally.Count("GPU-0", 48, 1),
            new XidTally.Count("GPU-0", 79, 2),
            new XidTally.Count("GPU-1", 79, 1));
  }
}
