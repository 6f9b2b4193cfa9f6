package io.kubeaccel.core.metrics;

import io.kubeaccel.nvml.NvmlLibraryPath;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a node agent exports metrics.
 *
 * @param address where {@code /metrics} is served; empty when metrics are off (nothing listens, nothing is sampled)
 * @param sampleInterval how often NVML is sampled; scrapes read the last sample
 * @param procRoot procfs, read for the cgroup of every process NVML lists ({@code /proc}, or the host's mounted
 *     elsewhere); the agent must see the host's PIDs
 * @param nvml where libnvidia-ml.so.1 is looked for (the sampler opens its own NVML handle)
 * @throws IllegalArgumentException if the interval is shorter than {@link #MIN_INTERVAL}
 */
public record MetricsSettings(
    Optional<InetSocketAddress> address,
    Duration sampleInterval,
    Path procRoot,
    NvmlLibraryPath nvml) {

  /** The default endpoint, as {@link #parseAddress} reads it: every interface, port 9400. */
  public static final String DEFAULT_ADDRESS = ":9400";

  /** The default sample interval. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  /** Shorter intervals would poll NVML faster than the driver refreshes its utilisation samples. */
  public static final Duration MIN_INTERVAL = Duration.ofMillis(100);

  private static final Pattern HOST_PORT =
      Pattern.compile("^(\\[[^\\]]+\\]|[^:\\[\\]]*):(\\d{1,5})$");
  private static final Pattern INTERVAL = Pattern.compile("^(\\d{1,9})(ms|s|m)$");

  public MetricsSettings {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(procRoot, "procRoot");
    Objects.requireNonNull(nvml, "nvml");
    if (sampleInterval.compareTo(MIN_INTERVAL) < 0) {
      throw new IllegalArgumentException("metrics sample interval must be at least "
          + MIN_INTERVAL.toMillis() + "ms, got " + sampleInterval.toMillis() + "ms");
    }
  }

  /** Whether {@code /metrics} is served at all. */
  public boolean enabled() {
    return address.isPresent();
  }

  /**
   * Reads {@code [HOST]:PORT} ({@code :9400} for every interface, {@code 127.0.0.1:9400}, {@code [::1]:9400}; port 0
   * picks a free one) or {@code off}.
   *
   * @return the address, or empty for {@code off}
   * @throws IllegalArgumentException naming the value and the expected form
   */
  public static Optional<InetSocketAddress> parseAddress(String value) {
    String text = Objects.requireNonNull(value, "value").trim();
    if (text.equalsIgnoreCase("off")) {
      return Optional.empty();
    }
    Matcher matcher = HOST_PORT.matcher(text);
    if (!matcher.matches()) {
      throw new IllegalArgumentException("metrics address must be [HOST]:PORT (e.g. :9400,"
          + " 127.0.0.1:9400, [::1]:9400) or off, got \"" + value + "\"");
    }
    int port = Integer.parseInt(matcher.group(2));
    if (port > 65535) {
      throw new IllegalArgumentException(
          "metrics address port must be 0 to 65535, got \"" + value + "\"");
    }
    String host = matcher.group(1);
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    InetSocketAddress address =
        host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    if (address.isUnresolved()) {
      throw new IllegalArgumentException(
          "metrics address host \"" + host + "\" does not resolve, in \"" + value + "\"");
    }
    return Optional.of(address);
  }

  /**
   * Reads a sample interval: a whole number with {@code ms}, {@code s} or {@code m} ({@code 10s}, {@code 500ms}).
   *
   * @throws IllegalArgumentException naming the value and the expected form, or when below {@link #MIN_INTERVAL}
   */
  public static Duration parseInterval(String value) {
    Matcher matcher =
        INTERVAL.matcher(Objects.requireNonNull(value, "value").trim().toLowerCase(Locale.ROOT));
    if (!matcher.matches()) {
      throw new IllegalArgumentException(
          "metrics interval must be a whole number with ms, s or m (e.g. 10s), got \"" + value
              + "\"");
    }
    long amount = Long.parseLong(matcher.group(1));
    Duration interval = switch (matcher.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      default -> Duration.ofMinutes(amount);
    };
    if (interval.compareTo(MIN_INTERVAL) < 0) {
      throw new IllegalArgumentException("metrics interval must be at least "
          + MIN_INTERVAL.toMillis() + "ms, got \"" + value + "\"");
    }
    return interval;
  }
}
