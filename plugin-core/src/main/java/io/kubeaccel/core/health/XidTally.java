package io.kubeaccel.core.health;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many XID events NVML reported, per card and XID, since the agent started: every critical one, also those on a
 * card that is Unhealthy already, and apart from them those the health policy ignores (an application's fault such as
 * 13, 31 or 43, which leaves the card Healthy). The health monitor writes it, the metrics read it; thread-safe.
 */
public final class XidTally {

  /** {@code events} critical XIDs {@code xid} on card {@code uuid}. */
  public record Count(String uuid, long xid, long events) {}

  private record Key(String uuid, long xid) {}

  private final Map<Key, AtomicLong> critical = new ConcurrentHashMap<>();
  private final Map<Key, AtomicLong> ignored = new ConcurrentHashMap<>();

  /** One more critical XID {@code xid} on card {@code uuid}. */
  public void record(String uuid, long xid) {
    add(critical, uuid, xid);
  }

  /** One more XID {@code xid} on card {@code uuid} that the health policy ignores. */
  public void recordIgnored(String uuid, long xid) {
    add(ignored, uuid, xid);
  }

  /** Every card and critical XID seen so far with its count, by card and XID. */
  public List<Count> counts() {
    return list(critical);
  }

  /** Every card and ignored XID seen so far with its count, by card and XID. */
  public List<Count> ignoredCounts() {
    return list(ignored);
  }

  private static void add(Map<Key, AtomicLong> counts, String uuid, long xid) {
    counts.computeIfAbsent(new Key(uuid, xid), key -> new AtomicLong()).incrementAndGet();
  }

  private static List<Count> list(Map<Key, AtomicLong> counts) {
    List<Count> all = new ArrayList<>();
    counts.forEach((key, events) -> all.add(new Count(key.uuid(), key.xid(), events.get())));
    all.sort(Comparator.comparing(Count::uuid).thenComparingLong(Count::xid));
    return all;
  }
}
