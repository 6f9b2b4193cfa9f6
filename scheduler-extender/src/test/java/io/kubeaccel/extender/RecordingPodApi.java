package io.kubeaccel.extender;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubeaccel.core.kube.PodRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** An in-memory {@link PodApi}: pods by namespace/name, annotations applied, bindings recorded, failures injected. */
final class RecordingPodApi implements PodApi {

  final Map<String, Pod> pods = new ConcurrentHashMap<>();
  final Map<String, String> bindings = new ConcurrentHashMap<>();
  final List<String> calls = new ArrayList<>();
  volatile String failAnnotate;
  volatile String failBind;
  /** Told of every pod as annotated, e.g. to feed it back to the ClusterState as an informer would. */
  volatile Consumer<Pod> onAnnotated = pod -> {};

  void put(Pod pod) {
    pods.put(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName(), pod);
  }

  @Override
  public Optional<Pod> get(String namespace, String name) {
    record("get " + namespace + "/" + name);
    return Optional.ofNullable(pods.get(namespace + "/" + name));
  }

  @Override
  public void annotate(Pod pod, Map<String, String> annotations) {
    record("annotate " + pod.getMetadata().getName() + " " + new java.util.TreeMap<>(annotations));
    if (failAnnotate != null) {
      throw new PodApiException(failAnnotate);
    }
    String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    Pod current = pods.getOrDefault(key, pod);
    Pod next = Fixtures.annotated(current, annotations);
    pods.put(key, next);
    onAnnotated.accept(next);
  }

  @Override
  public void removeAnnotations(PodRef pod, Set<String> keys) {
    record("unannotate " + pod.name());
  }

  @Override
  public void bind(PodRef pod, String node) {
    record("bind " + pod.name() + " " + node);
    if (failBind != null) {
      throw new PodApiException(failBind);
    }
    bindings.put(pod.namespace() + "/" + pod.name(), node);
  }

  synchronized List<String> calls() {
    return List.copyOf(calls);
  }

  private synchronized void record(String call) {
    calls.add(call);
  }
}
