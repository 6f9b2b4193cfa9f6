package io.kubeaccel.core.kube;

/**
 * The pod an operation was meant for no longer exists: it was deleted, or its name now belongs to a re-created pod
 * with another UID. Retrying cannot succeed.
 */
public final class PodGoneException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient PodRef pod;

  PodGoneException(PodRef pod, String reason) {
    super("pod " + pod + " is gone: " + reason);
    this.pod = pod;
  }

  /** The pod that is gone. */
  public PodRef pod() {
    return pod;
  }
}
