package io.kubeaccel.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Rendered YAML as typed Kubernetes objects (fabric8's model), checked strictly: a field the model does not know
 * (a typo such as {@code readinesProbe}) would land in an object's additional properties and is reported instead.
 */
final class Manifests {

  /** Kinds that are not in fabric8's model, parsed generically on purpose. */
  static final Set<String> CUSTOM_KINDS = Set.of("Certificate");

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private final List<HasMetadata> objects;

  private Manifests(List<HasMetadata> objects) {
    this.objects = objects;
  }

  static Manifests parse(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (Object document : new Yaml(new LoaderOptions()).loadAll(yaml)) {
      if (document == null) {
        continue;
      }
      assertThat(document).as("a YAML document that is not an object").isInstanceOf(Map.class);
      HasMetadata object = SERIALIZATION.unmarshal(SERIALIZATION.asJson(document));
      String kind = object.getKind();
      if (object instanceof GenericKubernetesResource) {
        assertThat(CUSTOM_KINDS)
            .as(
                "%s %s is not a kind fabric8's model knows",
                kind, object.getMetadata().getName())
            .contains(kind);
      } else {
        List<String> unknown = new ArrayList<>();
        unknownFields(
            object, kind + "/" + object.getMetadata().getName(), unknown, new IdentityHashMap<>());
        assertThat(unknown).as("fields the Kubernetes model does not know").isEmpty();
      }
      objects.add(object);
    }
    return new Manifests(objects);
  }

  List<HasMetadata> all() {
    return objects;
  }

  <T extends HasMetadata> List<T> ofType(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
    return ofType(type).stream()
        .filter(object -> object.getMetadata().getName().equals(name))
        .findFirst();
  }

  <T extends HasMetadata> T get(Class<T> type, String name) {
    return find(type, name)
        .orElseThrow(() ->
            new AssertionError("no " + type.getSimpleName() + " named " + name + " in " + names()));
  }

  List<String> names() {
    return objects.stream()
        .map(object -> object.getKind() + "/" + object.getMetadata().getName())
        .toList();
  }

  /** Every workload's pod template: DaemonSets and Deployments. */
  Map<String, PodTemplateSpec> podTemplates() {
    Map<String, PodTemplateSpec> templates = new java.util.TreeMap<>();
    for (DaemonSet set : ofType(DaemonSet.class)) {
      templates.put("DaemonSet/" + set.getMetadata().getName(), set.getSpec().getTemplate());
    }
    for (Deployment deployment : ofType(Deployment.class)) {
      templates.put(
          "Deployment/" + deployment.getMetadata().getName(),
          deployment.getSpec().getTemplate());
    }
    return templates;
  }

  /** A pod's init and regular containers. */
  static Stream<Container> containers(PodSpec pod) {
    return Stream.concat(
        pod.getInitContainers() == null ? Stream.empty() : pod.getInitContainers().stream(),
        pod.getContainers().stream());
  }

  private static void unknownFields(
      Object value, String where, List<String> unknown, Map<Object, Boolean> seen) {
    if (value == null || seen.put(value, Boolean.TRUE) != null) {
      return;
    }
    if (value instanceof Collection<?> collection) {
      int i = 0;
      for (Object element : collection) {
        unknownFields(element, where + "[" + i++ + "]", unknown, seen);
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        unknownFields(entry.getValue(), where + "." + entry.getKey(), unknown, seen);
      }
      return;
    }
    if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0
          || Modifier.isStatic(getter.getModifiers())
          || !getter.getName().startsWith("get")
          || getter.getName().equals("getClass")) {
        continue;
      }
      Object field;
      try {
        field = getter.invoke(value);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue;
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
          unknown.add(where + ": " + extra.keySet());
        }
        continue;
      }
      unknownFields(field, where + "." + property(getter.getName()), unknown, seen);
    }
  }

  private static String property(String getter) {
    String name = getter.substring(3);
    return name.isEmpty() ? name : Character.toLowerCase(name.charAt(0)) + name.substring(1);
  }
}
