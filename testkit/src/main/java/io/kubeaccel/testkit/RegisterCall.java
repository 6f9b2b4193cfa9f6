package io.kubeaccel.testkit;

import io.grpc.Status;
import io.kubeaccel.proto.deviceplugin.v1beta1.RegisterRequest;
import java.util.Objects;

/**
 * One Register call the stand-in received, accepted or not.
 *
 * @param request what the plugin sent
 * @param receivedNanos {@link System#nanoTime()} when the call arrived, to measure time to (re-)registration
 * @param status {@link Status#OK} if accepted, else the error the plugin got back
 */
public record RegisterCall(RegisterRequest request, long receivedNanos, Status status) {

  public RegisterCall {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(status, "status");
  }

  /** Whether the registration was accepted. */
  public boolean accepted() {
    return status.isOk();
  }
}
