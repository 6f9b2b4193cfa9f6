package io.kubeaccel.core.sharing;

import io.grpc.Status;
import io.kubeaccel.core.ledger.ListedContainer;
import io.kubeaccel.core.ledger.PodResourcesClient;
import io.kubeaccel.core.ledger.PodResourcesException;
import java.util.List;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/** The kubelet's record of which container holds which devices; empty when the kubelet cannot be asked. */
@FunctionalInterface
public interface PodResourcesLookup {

  Optional<List<ListedContainer>> list();

  /** One pod's containers, or empty when the kubelet cannot be asked; by default filtered from {@link #list()}. */
  default Optional<List<ListedContainer>> get(String namespace, String pod) {
    return list()
        .map(all -> all.stream()
            .filter(c -> c.namespace().equals(namespace) && c.pod().equals(pod))
            .toList());
  }

  /** No PodResources API (e.g. disabled on the kubelet): matching falls back to admission order alone. */
  PodResourcesLookup NONE = Optional::empty;

  /**
   * Asks {@code client}; a kubelet that does not answer gives empty (logged), never an exception. One pod is asked
   * with {@code Get}, falling back to {@code List} on kubelets without it.
   */
  static PodResourcesLookup of(PodResourcesClient client) {
    return new PodResourcesLookup() {
      private volatile boolean getUnimplemented;

      @Override
      public Optional<List<ListedContainer>> list() {
        try {
          return Optional.of(client.list());
        } catch (PodResourcesException e) {
          unavailable(e);
          return Optional.empty();
        }
      }

      @Override
      public Optional<List<ListedContainer>> get(String namespace, String pod) {
        if (getUnimplemented) {
          return PodResourcesLookup.super.get(namespace, pod);
        }
        try {
          return Optional.of(client.get(namespace, pod));
        } catch (PodResourcesException e) {
          if (e.code() == Status.Code.UNIMPLEMENTED) {
            getUnimplemented = true; // a kubelet before 1.27: List it is, from now on
          }
          if (e.code() != Status.Code.UNAVAILABLE && e.code() != Status.Code.DEADLINE_EXCEEDED) {
            return PodResourcesLookup.super.get(
                namespace, pod); // answered, but not as Get should: ask List
          }
          unavailable(e);
          return Optional.empty();
        }
      }
    };
  }

  private static void unavailable(PodResourcesException e) {
    LoggerFactory.getLogger(PodResourcesLookup.class)
        .warn("PodResources unavailable reason=\"{}\"", e.getMessage());
  }
}
