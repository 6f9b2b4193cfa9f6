package io.kubeaccel.core.server;

/**
 * Hears of every answered Allocate call, for metrics. Called on the request path: implementations must be cheap and
 * must not block.
 */
public interface AllocationObserver {

  /** An Allocate for {@code resource} succeeded after {@code nanos} of handling. */
  void allocated(String resource, long nanos);

  /** A request for {@code resource} was refused as invalid. */
  void rejected(String resource);

  /** Observes nothing. */
  AllocationObserver NONE = new AllocationObserver() {
    @Override
    public void allocated(String resource, long nanos) {}

    @Override
    public void rejected(String resource) {}
  };
}
