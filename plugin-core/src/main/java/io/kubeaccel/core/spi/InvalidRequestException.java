package io.kubeaccel.core.spi;

/**
 * A request from the kubelet that cannot be honoured as asked: unknown, duplicate or unhealthy device IDs, or a
 * request that breaks a rule of the mode. The message names the offending IDs or values; the server edge turns it into
 * gRPC {@code INVALID_ARGUMENT}. Nothing is recorded for a request that fails this way.
 */
public class InvalidRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidRequestException(String message) {
    super(message);
  }
}
