package io.kubeaccel.core.health;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many critical XID events NVML reported, per card and XID, since the agent started: every event, also those on a
 * card that is Unhealthy already. The health monitor writes it, the metrics read it; thread-safe.
 */
public final class XidTally {

  /** {@code events} critical XIDs {@code xid} on card {@code uuid}. */
  public record Count(String uuid, long xid, long events) {}

  private record Key(String uuid, long xid) {}

  private final Map<Key, AtomicLong> counts = new ConcurrentHashMap<>();

  /** One more XID {@code xid} on card {@code uuid}. */
  public void record(String uuid, long xid) {
    counts.computeIfAbsent(new Key(uuid, xid), key -> new AtomicLong()).incrementAndGet();
  }

  /** Every card and XID seen so far with its count, by card and XID. */
  public List<Count> counts() {
    List<Count> all = new ArrayList<>();
    counts.forEach((key, events) -> all.add(new Count(key.uuid(), key.xid(), events.get())));
    all.sort(Comparator.comparing(Count::uuid).thenComparingLong(Count::xid));
    return all;
  }
}
