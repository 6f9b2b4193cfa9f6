package io.kubeaccel.testkit;

import io.grpc.Status;
import java.util.Optional;

/**
 * Admission of a container's devices failed: too few healthy free devices, no plugin for the resource, an invalid
 * preferred allocation, or a failed plugin call (then {@link #status()} carries the plugin's gRPC status). Nothing is
 * recorded when this is thrown.
 */
public final class AdmissionException extends RuntimeException {

  // Status is not Serializable; nobody serializes these exceptions.
  private final transient Status status;

  AdmissionException(String message) {
    this(message, null, null);
  }

  AdmissionException(String message, Status status, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** The gRPC status of the plugin call that failed, if a plugin call is what failed. */
  public Optional<Status> status() {
    return Optional.ofNullable(status);
  }
}
