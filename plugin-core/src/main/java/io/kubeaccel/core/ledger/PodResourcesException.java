package io.kubeaccel.core.ledger;

import io.grpc.Status;
import java.nio.file.Path;

/**
 * The kubelet's PodResources API did not answer: its socket is missing or refuses connections ({@code UNAVAILABLE}),
 * the call ran past its deadline ({@code DEADLINE_EXCEEDED}), or the kubelet failed it. The message names the socket
 * and the gRPC status. Unchecked: callers decide whether to retry or start without reconciling.
 */
public final class PodResourcesException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Path socket;
  private final Status.Code code;

  PodResourcesException(Path socket, Status status, Throwable cause) {
    super(
        "kubelet PodResources List on " + socket + " failed: " + status.getCode()
            + (status.getDescription() == null ? "" : " (" + status.getDescription() + ")"),
        cause);
    this.socket = socket;
    this.code = status.getCode();
  }

  /** The unix socket that was called. */
  public Path socket() {
    return socket;
  }

  /** The gRPC status code the call ended with. */
  public Status.Code code() {
    return code;
  }
}
