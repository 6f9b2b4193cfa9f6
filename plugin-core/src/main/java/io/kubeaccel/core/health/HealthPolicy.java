package io.kubeaccel.core.health;

import java.time.Duration;
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
 * @param recoveryQuietPeriod how long a card that went unhealthy must stay free of XIDs, answering NVML normally,
 *     before it is healthy again ({@code HEALTH_RECOVERY_QUIET_PERIOD}, seconds or e.g. {@code 5m}); zero never
 *     recovers (NVIDIA's plugin's behaviour). A card that fell off the bus and answers again with the same UUID (after
 *     a reset) is healthy at once.
 */
public record HealthPolicy(
    boolean enabled,
    Set<Integer> ignoredXids,
    boolean ignoreAllXids,
    Duration recoveryQuietPeriod) {

  /** Five minutes: long enough that a flapping card stays out, short enough that a reset card returns soon. */
  public static final Duration DEFAULT_QUIET_PERIOD = Duration.ofMinutes(5);

  /** XIDs caused by applications rather than the card: 13, 31, 43, 45, 68, 109 (as in NVIDIA's plugin). */
  public static final Set<Integer> DEFAULT_IGNORED_XIDS = Set.of(13, 31, 43, 45, 68, 109);

  public HealthPolicy {
    ignoredXids = Collections.unmodifiableSet(new TreeSet<>(ignoredXids));
  }

  /** The default: checks on, the default XIDs ignored. */
  public static HealthPolicy defaults() {
    return new HealthPolicy(true, DEFAULT_IGNORED_XIDS, false, DEFAULT_QUIET_PERIOD);
  }

  /** This policy with another quiet period. */
  public HealthPolicy withQuietPeriod(Duration quietPeriod) {
    return new HealthPolicy(enabled, ignoredXids, ignoreAllXids, quietPeriod);
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
    Duration quiet = parseDuration(
        "HEALTH_RECOVERY_QUIET_PERIOD",
        env.getOrDefault("HEALTH_RECOVERY_QUIET_PERIOD", "").trim());
    return new HealthPolicy(
        enabled, ignored, ignoreAll, quiet == null ? DEFAULT_QUIET_PERIOD : quiet);
  }

  /** Whole seconds ({@code 300}) or a number with a unit s, m or h ({@code 90s}, {@code 5m}); null when empty. */
  static Duration parseDuration(String variable, String value) {
    if (value.isEmpty()) {
      return null;
    }
    java.util.regex.Matcher matcher =
        java.util.regex.Pattern.compile("(\\d{1,9})([smh]?)").matcher(value);
    if (!matcher.matches()) {
      throw new IllegalArgumentException(
          variable + "=\"" + value
              + "\": expected seconds or a number with s, m or h (e.g. 300, 90s, 5m; 0 never recovers)");
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofSeconds(amount);
    };
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
