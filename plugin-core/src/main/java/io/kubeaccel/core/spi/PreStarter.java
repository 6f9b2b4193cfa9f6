package io.kubeaccel.core.spi;

import io.kubeaccel.core.inventory.Inventory;
import java.util.List;

/** Optional ability of a {@link ModePlugin}: act before a container that received {@code deviceIds} starts. */
public interface PreStarter {

  /**
   * Called by the kubelet before a container starts.
   *
   * @throws InvalidRequestException if the container must not start
   */
  void preStart(List<String> deviceIds, Inventory inventory);
}
