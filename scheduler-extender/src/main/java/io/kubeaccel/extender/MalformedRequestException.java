package io.kubeaccel.extender;

/** A request body that is not what kube-scheduler sends: answered HTTP 400 with the message. */
final class MalformedRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  MalformedRequestException(String message) {
    super(message);
  }
}
