package io.kubeaccel.core.metrics;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Health;
import io.kubeaccel.core.inventory.Inventory;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts, per card and XID, the XID errors that made a card Unhealthy, from the inventory's health transitions (the
 * health monitor records them as {@code XID <n>}). Every snapshot is looked at once, in generation order: from the
 * store's change notifications, and from each scrape (so a scrape right after a transition never misses it).
 */
final class XidCounter {

  private static final Pattern XID_REASON = Pattern.compile("^XID (\\d+)\\b");

  private final Counter errors;
  private Inventory seen;

  XidCounter(PrometheusRegistry registry) {
    MetricFamily family = MetricFamily.GPU_XID_ERRORS;
    errors = Counter.builder()
        .name(family.name)
        .help(family.help)
        .labelNames(family.labels.toArray(String[]::new))
        .withoutExemplars()
        .register(registry);
  }

  /** Counts the XID transitions from the last snapshot looked at to {@code next}; older snapshots are ignored. */
  synchronized void observe(Inventory next) {
    if (seen != null && next.generation() <= seen.generation()) {
      return;
    }
    for (Gpu gpu : next.gpus()) {
      Health now = next.health(gpu.uuid());
      Optional<String> xid = xidOf(now);
      if (xid.isEmpty()) {
        continue;
      }
      Health before = seen == null ? null : seen.health().get(gpu.uuid());
      if (before == null || !xidOf(before).equals(xid)) {
        errors.labelValues(gpu.uuid(), xid.get()).inc();
      }
    }
    seen = next;
  }

  /** The XID among the card's reasons (the monitor keeps one, its latest), if any. */
  private static Optional<String> xidOf(Health health) {
    for (String problem : health.problems()) {
      Matcher matcher = XID_REASON.matcher(problem);
      if (matcher.find()) {
        return Optional.of(matcher.group(1));
      }
    }
    return Optional.empty();
  }
}
