package io.kubeaccel.testkit;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;

/** Human text for a gRPC status, in grpc-java's "CODE: description" form plus the cause grpc-java keeps local. */
final class StatusText {

  private StatusText() {}

  static String describe(Status status) {
    StringBuilder text = new StringBuilder(status.getCode().name());
    if (status.getDescription() != null) {
      text.append(": ").append(status.getDescription());
    }
    // Transport failures say only "io exception"; the cause says which socket and why.
    Throwable cause = status.getCause();
    boolean statusAgain =
        cause instanceof StatusRuntimeException || cause instanceof StatusException;
    if (cause != null && !statusAgain && cause.getMessage() != null) {
      text.append(" (").append(cause.getMessage()).append(')');
    }
    return text.toString();
  }
}
