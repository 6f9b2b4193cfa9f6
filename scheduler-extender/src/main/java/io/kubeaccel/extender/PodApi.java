package io.kubeaccel.extender;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubeaccel.core.kube.PodRef;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The few API writes (and the one read) binding needs; every failure is a {@link PodApiException}. */
interface PodApi {

  /** The pod as the API server has it now, or empty when there is none. */
  Optional<Pod> get(String namespace, String name);

  /**
   * Sets {@code annotations} on {@code pod} (as last read), refusing to touch a re-created pod of the same name.
   */
  void annotate(Pod pod, Map<String, String> annotations);

  /** Removes {@code keys} from the pod's annotations; best effort. */
  void removeAnnotations(PodRef pod, Set<String> keys);

  /** Creates the Binding of {@code pod} to {@code node}. */
  void bind(PodRef pod, String node);

  /** A failed API call, described in one line (HTTP status and the server's message). */
  final class PodApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PodApiException(String message) {
      super(message);
    }
  }
}
