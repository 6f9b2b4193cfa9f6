package io.kubeaccel.mps.daemon;

/** The MPS control program failed, could not be run, or gave an answer that makes no sense; the message says which. */
final class MpsControlException extends Exception {
  private static final long serialVersionUID = 1L;

  MpsControlException(String message) {
    super(message);
  }
}
