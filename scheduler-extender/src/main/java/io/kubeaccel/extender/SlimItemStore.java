package io.kubeaccel.extender;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * An informer store that keeps only what the informer itself needs of each object (namespace, name, UID,
 * resourceVersion) as four strings, and hands out objects holding just that: the extender keeps its own compact view
 * from the events, and a cluster's full Pods and Nodes would cost gigabytes. Not a full-state store, so the informer
 * gives the handlers the events' own objects; the informer must run without resync (a resync would deliver these
 * stubs as updates).
 */
final class SlimItemStore<T extends HasMetadata> implements ItemStore<T> {

  private record Meta(String namespace, String name, String uid, String resourceVersion) {}

  private final ConcurrentHashMap<String, Meta> items = new ConcurrentHashMap<>();
  private final Function<ObjectMeta, T> stub;

  /** @param stub makes an object of the store's type holding only {@code metadata} */
  SlimItemStore(Function<ObjectMeta, T> stub) {
    this.stub = stub;
  }

  @Override
  public String getKey(T object) {
    return Cache.metaNamespaceKeyFunc(object);
  }

  @Override
  public T put(String key, T object) {
    ObjectMeta m = object.getMetadata();
    return restore(items.put(
        key, new Meta(m.getNamespace(), m.getName(), m.getUid(), m.getResourceVersion())));
  }

  @Override
  public T remove(String key) {
    return restore(items.remove(key));
  }

  @Override
  public Stream<String> keySet() {
    return items.keySet().stream();
  }

  @Override
  public Stream<T> values() {
    return items.values().stream().map(this::restore);
  }

  @Override
  public int size() {
    return items.size();
  }

  @Override
  public T get(String key) {
    return restore(items.get(key));
  }

  @Override
  public boolean isFullState() {
    return false;
  }

  private T restore(Meta meta) {
    if (meta == null) {
      return null;
    }
    return stub.apply(new ObjectMetaBuilder()
        .withNamespace(meta.namespace())
        .withName(meta.name())
        .withUid(meta.uid())
        .withResourceVersion(meta.resourceVersion())
        .build());
  }
}
