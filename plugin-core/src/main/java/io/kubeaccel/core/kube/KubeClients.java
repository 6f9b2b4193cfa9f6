package io.kubeaccel.core.kube;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.concurrent.ExecutorService;
import tools.jackson.databind.ObjectMapper;

/** The fabric8 clients of kubeaccel's processes (node agents, the scheduler extender, doctor). */
public final class KubeClients {

  /**
   * Every kind kubeaccel reads or writes. The client needs a kind registered only where a response names its type
   * by apiVersion and kind alone (watch events, Status answers); typed calls name the class themselves.
   */
  static final List<Class<? extends KubernetesResource>> KINDS =
      List.of(Pod.class, Node.class, Event.class, Binding.class, Status.class);

  private KubeClients() {}

  /**
   * JSON (de)serialization that knows the {@link #KINDS kinds kubeaccel uses}. fabric8's default searches the class
   * path for every model class it ships (a ServiceLoader over {@link KubernetesResource}) and loads them, ~1,000
   * classes of API groups no kubeaccel process touches (Gateway API, resource.k8s.io, storage, ...): several MiB of
   * class metadata in every agent.
   */
  public static KubernetesSerialization serialization() {
    KubernetesSerialization serialization = new KubernetesSerialization(new ObjectMapper(), false);
    KINDS.forEach(serialization::registerKubernetesResource);
    return serialization;
  }

  /**
   * A client for {@code config} with {@link #serialization()}; {@code executor} runs its callbacks (informer
   * handlers, async completions), or fabric8's default when null.
   */
  public static KubernetesClient create(Config config, ExecutorService executor) {
    KubernetesClientBuilder builder = new KubernetesClientBuilder()
        .withConfig(config)
        .withKubernetesSerialization(serialization());
    if (executor != null) {
      builder.withTaskExecutor(executor);
    }
    return builder.build();
  }
}
