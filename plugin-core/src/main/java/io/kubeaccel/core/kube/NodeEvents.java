package io.kubeaccel.core.kube;

/**
 * Kubernetes Events about this Node, shown by {@code kubectl describe node}. Asynchronous and best effort: an Event
 * the API server does not take is dropped with a debug log, never retried and never thrown. An Event identical in
 * type, reason and message to one emitted less than a minute earlier is counted into that Event ({@code count},
 * {@code lastTimestamp}) instead of creating another.
 */
public interface NodeEvents {

  /** Records a {@code Normal} Event; {@code reason} is a short UpperCamelCase word, {@code message} for humans. */
  void normal(String reason, String message);

  /** Records a {@code Warning} Event; {@code reason} is a short UpperCamelCase word, {@code message} for humans. */
  void warning(String reason, String message);
}
