package io.kubeaccel.core.spi;

import io.kubeaccel.core.inventory.Inventory;
import java.util.List;

/**
 * The kubelet asks which of {@code available} to give a container of {@code size} devices.
 *
 * @param available free, advertised IDs to choose from
 * @param mustInclude IDs the answer must contain (a subset of {@code available})
 * @param size how many IDs to choose (at least {@code mustInclude.size()}, at most {@code available.size()})
 * @param inventory the current snapshot
 */
public record PreferenceRequest(
    List<String> available, List<String> mustInclude, int size, Inventory inventory) {

  public PreferenceRequest {
    available = List.copyOf(available);
    mustInclude = List.copyOf(mustInclude);
  }
}
