package io.kubeaccel.core.metrics;

import io.kubeaccel.core.health.XidTally;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Exports, per card and XID, the XID events the health monitor tallied: the critical ones (every event, also those on
 * a card that is Unhealthy already) and, apart, those the health policy ignores. Brought up to date whenever they are
 * collected, so a scrape right after an XID never misses it.
 */
final class XidCounter {

  /** One tally exported as one counter. */
  private static final class Exported {
    private final Counter counter;
    private final Function<XidTally, List<XidTally.Count>> counts;
    private final Map<String, Long> exported = new HashMap<>();

    Exported(MetricFamily family, Function<XidTally, List<XidTally.Count>> counts) {
      this.counter = Counter.builder()
          .name(family.name)
          .help(family.help)
          .labelNames(family.labels.toArray(String[]::new))
          .withoutExemplars()
          .build();
      this.counts = counts;
    }

    /** Adds to the counter what the tally counted since the last call. */
    void sync(XidTally tally) {
      for (XidTally.Count count : counts.apply(tally)) {
        String xid = Long.toString(count.xid());
        String key = count.uuid() + "/" + xid;
        long before = exported.getOrDefault(key, 0L);
        if (count.events() > before) {
          counter.labelValues(count.uuid(), xid).inc(count.events() - before);
          exported.put(key, count.events());
        }
      }
    }
  }

  private final Exported critical = new Exported(MetricFamily.GPU_XID_ERRORS, XidTally::counts);
  private final Exported ignored =
      new Exported(MetricFamily.GPU_XID_IGNORED, XidTally::ignoredCounts);
  private XidTally tally;

  XidCounter(PrometheusRegistry registry) {
    registry.register(new MultiCollector() {
      @Override
      public MetricSnapshots collect() {
        sync();
        return MetricSnapshots.of(critical.counter.collect(), ignored.counter.collect());
      }

      @Override
      public List<String> getPrometheusNames() {
        return List.of(critical.counter.getPrometheusName(), ignored.counter.getPrometheusName());
      }
    });
  }

  /** Exports {@code source}'s counts from now on. */
  synchronized void follow(XidTally source) {
    tally = source;
    sync();
  }

  /** Adds to the counters what the tally counted since the last call. */
  synchronized void sync() {
    if (tally != null) {
      critical.sync(tally);
      ignored.sync(tally);
    }
  }
}
