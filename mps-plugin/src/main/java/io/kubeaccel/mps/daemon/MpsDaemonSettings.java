package io.kubeaccel.mps.daemon;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the node's MPS control daemon is run and watched.
 *
 * @param control the control program, a path or a name on {@code PATH} ({@code nvidia-cuda-mps-control}); started
 *     with {@code -d} for the daemon and without arguments as a client
 * @param pipeDirectory the daemon's {@code CUDA_MPS_PIPE_DIRECTORY} (made 0755 if missing)
 * @param logDirectory the daemon's {@code CUDA_MPS_LOG_DIRECTORY} (made 0700 if missing)
 * @param checkInterval pause between two health checks ({@code get_default_active_thread_percentage})
 * @param commandTimeout longest a client command may take before the daemon counts as hung
 * @param startTimeout longest {@code control -d} may take to return
 * @param stopTimeout longest {@code quit} may take at shutdown (it waits for the daemon's clients)
 * @param minBackoff first delay before restarting a daemon that died or failed to start
 * @param maxBackoff the delay doubles up to this after each failed start
 */
public record MpsDaemonSettings(
    String control,
    Path pipeDirectory,
    Path logDirectory,
    Duration checkInterval,
    Duration commandTimeout,
    Duration startTimeout,
    Duration stopTimeout,
    Duration minBackoff,
    Duration maxBackoff) {

  /** NVIDIA's control program, found on {@code PATH}. */
  public static final String DEFAULT_CONTROL = "nvidia-cuda-mps-control";

  public MpsDaemonSettings {
    if (minBackoff.isNegative() || minBackoff.isZero() || maxBackoff.compareTo(minBackoff) < 0) {
      throw new IllegalArgumentException(
          "backoff must be positive and min <= max: " + minBackoff + " .. " + maxBackoff);
    }
  }

  /** Checks every second; restarts after 100 ms, doubling up to 30 s. */
  public static MpsDaemonSettings defaults(String control, Path pipeDirectory, Path logDirectory) {
    return new MpsDaemonSettings(
        control,
        pipeDirectory,
        logDirectory,
        Duration.ofSeconds(1),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        Duration.ofMillis(100),
        Duration.ofSeconds(30));
  }

  /** These settings with another pause between health checks. */
  public MpsDaemonSettings withCheckInterval(Duration interval) {
    return new MpsDaemonSettings(
        control,
        pipeDirectory,
        logDirectory,
        interval,
        commandTimeout,
        startTimeout,
        stopTimeout,
        minBackoff,
        maxBackoff);
  }
}
