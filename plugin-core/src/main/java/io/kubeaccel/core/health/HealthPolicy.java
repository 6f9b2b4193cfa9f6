package io.kubeaccel.core.health;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which NVML events make a card unhealthy. Compatible with NVIDIA's device plugin environment variables:
 *
 * <ul>
 *   <li>{@code DP_DISABLE_HEALTHCHECKS}: {@code all} turns health checking off; {@code xids} ignores every XID;
 *       otherwise a comma-separated list of XIDs ignored in addition to the defaults.
 *   <li>{@code DP_ENABLE_HEALTHCHECKS}: {@code all} makes every XID critical, including the default-ignored ones;
 *       otherwise a comma-separated list of XIDs taken out of the ignored set.
 * </ul>
 *
 * @param enabled whether the health monitor runs at all
 * @param ignoredXids XIDs that are logged but leave the card healthy (application errors, not card faults)
 * @param ignoreAllXids whether every XID is ignored
 */
public record HealthPolicy(boolean enabled, Set<Integer> ignoredXids, boolean ignoreAllXids) {

  /** XIDs caused by applications rather than the card: 13, 31, 43, 45, 68, 109 (as in NVIDIA's plugin). */
  public static final Set<Integer> DEFAULT_IGNORED_XIDS = Set.of(13, 31, 43, 45, 68, 109);

  public HealthPolicy {
    ignoredXids = Collections.unmodifiableSet(new TreeSet<>(ignoredXids));
  }

  /** The default: checks on, the default XIDs ignored. */
  public static HealthPolicy defaults() {
    return new HealthPolicy(true, DEFAULT_IGNORED_XIDS, false);
  }

  /**
   * The policy the environment asks for.
   *
   * @throws IllegalArgumentException naming the variable and the token when a value is not understood
   */
  public static HealthPolicy fromEnvironment(Map<String, String> env) {
    boolean enabled = true;
    boolean ignoreAll = false;
    Set<Integer> ignored = new TreeSet<>(DEFAULT_IGNORED_XIDS);
    String disable =
        env.getOrDefault("DP_DISABLE_HEALTHCHECKS", "").trim().toLowerCase(Locale.ROOT);
    if (disable.equals("all")) {
      enabled = false;
    } else if (disable.equals("xids")) {
      ignoreAll = true;
    } else if (!disable.isEmpty()) {
      ignored.addAll(parseXids("DP_DISABLE_HEALTHCHECKS", disable));
    }
    String enable = env.getOrDefault("DP_ENABLE_HEALTHCHECKS", "").trim().toLowerCase(Locale.ROOT);
    if (enable.equals("all")) {
      ignored.clear();
      ignoreAll = false;
    } else if (!enable.isEmpty()) {
      ignored.removeAll(parseXids("DP_ENABLE_HEALTHCHECKS", enable));
    }
    return new HealthPolicy(enabled, ignored, ignoreAll);
  }

  /** Whether XID {@code xid} leaves the card healthy. */
  public boolean ignores(long xid) {
    return ignoreAllXids || (xid <= Integer.MAX_VALUE && ignoredXids.contains((int) xid));
  }

  private static Set<Integer> parseXids(String variable, String value) {
    Set<Integer> xids = new TreeSet<>();
    for (String token : value.split(",")) {
      String trimmed = token.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      try {
        int xid = Integer.parseInt(trimmed);
        if (xid <= 0) {
          throw new NumberFormatException();
        }
        xids.add(xid);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(variable
            + "=\""
            + value
            + "\": \""
            + trimmed
            + "\" is not an XID; expected all, xids (disable only) or a comma-separated list of positive"
            + " numbers");
      }
    }
    return xids;
  }
}
