package io.kubeaccel.extender;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.kubeaccel.core.kube.PodRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@link PodApi} on fabric8. Annotations are written with an RFC 6902 JSON patch whose first operation tests {@code
 * /metadata/uid} (a re-created pod of the same name is never annotated); when the pod has no annotations yet the map
 * is added whole, guarded by {@code resourceVersion}, and a conflict re-reads the pod and tries again.
 */
final class KubePodApi implements PodApi {

  private static final int ATTEMPTS = 3;

  private final KubernetesClient client;

  KubePodApi(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public Optional<Pod> get(String namespace, String name) {
    try {
      return Optional.ofNullable(
          client.pods().inNamespace(namespace).withName(name).get());
    } catch (KubernetesClientException e) {
      throw new PodApiException("cannot read pod " + namespace + "/" + name + ": " + describe(e));
    }
  }

  @Override
  public void annotate(Pod pod, Map<String, String> annotations) {
    Pod current = pod;
    String namespace = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    String uid = pod.getMetadata().getUid();
    for (int attempt = 1; ; attempt++) {
      try {
        client
            .pods()
            .inNamespace(namespace)
            .withName(name)
            .patch(
                PatchContext.of(PatchType.JSON),
                client.getKubernetesSerialization().asJson(patch(current, annotations)));
        return;
      } catch (KubernetesClientException e) {
        boolean conflict = e.getCode() == 409 || e.getCode() == 422;
        if (!conflict || attempt == ATTEMPTS) {
          throw new PodApiException(
              "cannot annotate pod " + namespace + "/" + name + ": " + describe(e));
        }
      }
      current = get(namespace, name)
          .orElseThrow(() -> new PodApiException("pod " + namespace + "/" + name + " is gone"));
      if (!uid.equals(current.getMetadata().getUid())) {
        throw new PodApiException("pod " + namespace + "/" + name + " was re-created (uid "
            + current.getMetadata().getUid() + ")");
      }
    }
  }

  @Override
  public void removeAnnotations(PodRef pod, Set<String> keys) {
    try {
      Pod current =
          client.pods().inNamespace(pod.namespace()).withName(pod.name()).get();
      if (current == null || !pod.uid().equals(current.getMetadata().getUid())) {
        return;
      }
      Map<String, String> present = current.getMetadata().getAnnotations();
      List<Map<String, Object>> operations = new ArrayList<>();
      operations.add(operation("test", "/metadata/uid", pod.uid()));
      new TreeMap<String, String>(present == null ? Map.of() : present)
          .keySet().stream()
              .filter(keys::contains)
              .forEach(key -> operations.add(operation("remove", path(key), null)));
      if (operations.size() > 1) {
        client
            .pods()
            .inNamespace(pod.namespace())
            .withName(pod.name())
            .patch(
                PatchContext.of(PatchType.JSON),
                client.getKubernetesSerialization().asJson(operations));
      }
    } catch (KubernetesClientException e) {
      throw new PodApiException("cannot clean the annotations of pod " + pod + ": " + describe(e));
    }
  }

  @Override
  public void bind(PodRef pod, String node) {
    Binding binding = new BindingBuilder()
        .withNewMetadata()
        .withNamespace(pod.namespace())
        .withName(pod.name())
        .withUid(pod.uid())
        .endMetadata()
        .withNewTarget()
        .withApiVersion("v1")
        .withKind("Node")
        .withName(node)
        .endTarget()
        .build();
    try {
      client.bindings().inNamespace(pod.namespace()).resource(binding).create();
    } catch (KubernetesClientException e) {
      throw new PodApiException("cannot bind pod " + pod.namespace() + "/" + pod.name() + " to "
          + node + ": " + describe(e));
    }
  }

  private static List<Map<String, Object>> patch(Pod current, Map<String, String> wanted) {
    List<Map<String, Object>> operations = new ArrayList<>();
    operations.add(operation("test", "/metadata/uid", current.getMetadata().getUid()));
    Map<String, String> present = current.getMetadata().getAnnotations();
    if (present == null || present.isEmpty()) {
      // Adding keys below an absent map fails, and fabric8's model cannot tell absent from empty:
      // write the map whole, only if nobody changed the pod since it was read.
      operations.add(operation(
          "test", "/metadata/resourceVersion", current.getMetadata().getResourceVersion()));
      operations.add(operation("add", "/metadata/annotations", new TreeMap<>(wanted)));
    } else {
      new TreeMap<>(wanted)
          .forEach((key, value) -> operations.add(operation("add", path(key), value)));
    }
    return operations;
  }

  private static Map<String, Object> operation(String op, String path, Object value) {
    Map<String, Object> operation = new LinkedHashMap<>();
    operation.put("op", op);
    operation.put("path", path);
    if (!"remove".equals(op)) {
      operation.put("value", value);
    }
    return operation;
  }

  /** RFC 6901: '/' in an annotation key is written "~1". */
  private static String path(String key) {
    return "/metadata/annotations/" + key.replace("~", "~0").replace("/", "~1");
  }

  static String describe(KubernetesClientException e) {
    if (e.getCode() > 0) {
      String message = e.getStatus() == null ? null : e.getStatus().getMessage();
      return "http=" + e.getCode() + (message == null || message.isEmpty() ? "" : " " + message);
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return "unreachable: " + root.getClass().getSimpleName()
        + (root.getMessage() == null ? "" : " " + root.getMessage());
  }
}
