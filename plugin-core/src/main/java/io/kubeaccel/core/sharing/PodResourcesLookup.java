package io.kubeaccel.core.sharing;

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

  /** No PodResources API (e.g. disabled on the kubelet): matching falls back to admission order alone. */
  PodResourcesLookup NONE = Optional::empty;

  /** Asks {@code client}; a kubelet that does not answer gives empty (logged), never an exception. */
  static PodResourcesLookup of(PodResourcesClient client) {
    return () -> {
      try {
        return Optional.of(client.list());
      } catch (PodResourcesException e) {
        LoggerFactory.getLogger(PodResourcesLookup.class)
            .warn("PodResources unavailable reason=\"{}\"", e.getMessage());
        return Optional.empty();
      }
    };
  }
}
