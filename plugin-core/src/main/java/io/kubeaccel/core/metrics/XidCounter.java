package io.kubeaccel.core.metrics;

import io.kubeaccel.core.health.XidTally;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.HashMap;
import java.util.Map;

/**
 * Exports, per card and XID, the critical XID events the health monitor tallied: every event, also those on a card
 * that is Unhealthy already. Brought up to date whenever it is collected, so a scrape right after an XID never misses
 * it.
 */
final class XidCounter {

  private final Counter errors;
  private final Map<String, Long> exported = new HashMap<>();
  private XidTally tally;

  XidCounter(PrometheusRegistry registry) {
    MetricFamily family = MetricFamily.GPU_XID_ERRORS;
    errors = Counter.builder()
        .name(family.name)
        .help(family.help)
        .labelNames(family.labels.toArray(String[]::new))
        .withoutExemplars()
        .build();
    // Brought up to date as it is collected, whatever order the registry collects in.
    registry.register(new Collector() {
      @Override
      public MetricSnapshot collect() {
        sync();
        return errors.collect();
      }

      @Override
      public String getPrometheusName() {
        return errors.getPrometheusName();
      }
    });
  }

  /** Exports {@code source}'s counts from now on. */
  synchronized void follow(XidTally source) {
    tally = source;
    sync();
  }

  /** Adds to the counter what the tally counted since the last call. */
  synchronized void sync() {
    if (tally == null) {
      return;
    }
    for (XidTally.Count count : tally.counts()) {
      String xid = Long.toString(count.xid());
      String key = count.uuid() + "/" + xid;
      long before = exported.getOrDefault(key, 0L);
      if (count.events() > before) {
        errors.labelValues(count.uuid(), xid).inc(count.events() - before);
        exported.put(key, count.events());
      }
    }
  }
}
