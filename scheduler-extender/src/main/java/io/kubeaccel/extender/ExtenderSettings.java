package io.kubeaccel.extender;

import io.kubeaccel.core.sharing.PlacementPolicy;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * How the scheduler extender serves and decides.
 *
 * @param listen address and port to serve on (port 0: any free port)
 * @param tls certificate and key to serve HTTPS with, or null for plain HTTP
 * @param assignAt when cards are chosen and written on the pod: at bind, or at filter (filter-only configurations)
 * @param nodePolicy the cluster's default node policy; a pod's {@code kubeaccel.io/node-policy} overrides it
 * @param cardPolicy the cluster's default card policy; a pod's {@code kubeaccel.io/card-policy} overrides it
 * @param maxBodyBytes the largest request body accepted; larger ones get HTTP 413
 * @param requestTimeout the longest a request may take to arrive and be answered
 * @param assignmentTtl how long a grant (or an assignment annotation on a pod that is not bound) holds capacity
 *     before it is assumed abandoned
 * @param threads request worker threads
 * @param version reported by {@code /version}
 */
public record ExtenderSettings(
    InetSocketAddress listen,
    TlsSettings tls,
    AssignAt assignAt,
    PlacementPolicy nodePolicy,
    PlacementPolicy cardPolicy,
    int maxBodyBytes,
    Duration requestTimeout,
    Duration assignmentTtl,
    int threads,
    String version) {

  /** gpu-admission's port. */
  public static final int DEFAULT_PORT = 3456;

  public static final int DEFAULT_MAX_BODY_BYTES = 4 << 20;

  /** @throws IllegalArgumentException when a size, duration or count is out of range */
  public ExtenderSettings {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(assignAt, "assignAt");
    Objects.requireNonNull(nodePolicy, "nodePolicy");
    Objects.requireNonNull(cardPolicy, "cardPolicy");
    Objects.requireNonNull(version, "version");
    if (maxBodyBytes < 1024) {
      throw new IllegalArgumentException(
          "the body size limit must be at least 1024 bytes, got " + maxBodyBytes);
    }
    if (requestTimeout.toSeconds() < 1 || assignmentTtl.toSeconds() < 1) {
      throw new IllegalArgumentException(
          "the request timeout and assignment TTL must be at least 1s, got " + requestTimeout
              + " and " + assignmentTtl);
    }
    if (threads < 1 || threads > 256) {
      throw new IllegalArgumentException("threads must be 1 to 256, got " + threads);
    }
  }

  /** Plain HTTP on {@code port}, assignment at filter, binpack nodes and cards, 4 MiB bodies, 30 s, 5 min, 8. */
  public static ExtenderSettings defaults(int port) {
    return new ExtenderSettings(
        new InetSocketAddress(port),
        null,
        AssignAt.FILTER,
        PlacementPolicy.BINPACK,
        PlacementPolicy.BINPACK,
        DEFAULT_MAX_BODY_BYTES,
        Duration.ofSeconds(30),
        Duration.ofMinutes(5),
        8,
        "development");
  }

  public ExtenderSettings withTls(TlsSettings value) {
    return new ExtenderSettings(
        listen,
        value,
        assignAt,
        nodePolicy,
        cardPolicy,
        maxBodyBytes,
        requestTimeout,
        assignmentTtl,
        threads,
        version);
  }

  public ExtenderSettings withAssignAt(AssignAt value) {
    return new ExtenderSettings(
        listen,
        tls,
        value,
        nodePolicy,
        cardPolicy,
        maxBodyBytes,
        requestTimeout,
        assignmentTtl,
        threads,
        version);
  }

  public ExtenderSettings withPolicies(PlacementPolicy node, PlacementPolicy card) {
    return new ExtenderSettings(
        listen,
        tls,
        assignAt,
        node,
        card,
        maxBodyBytes,
        requestTimeout,
        assignmentTtl,
        threads,
        version);
  }
}
