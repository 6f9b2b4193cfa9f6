package io.kubeaccel.core.node;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.kube.NodeMetadataPublisher;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The labels an agent keeps on its Node, so workloads and the scheduler can select nodes by GPU: the product, count,
 * memory and compute capability of its cards (as NVIDIA's GPU feature discovery names them), the driver's CUDA version,
 * and the active mode. The agent owns exactly these keys: it adds, updates and removes them, never others.
 */
public final class NodeLabels {

  public static final String PRODUCT = "nvidia.com/gpu.product";
  public static final String COUNT = "nvidia.com/gpu.count";
  public static final String MEMORY = "nvidia.com/gpu.memory";
  public static final String COMPUTE_MAJOR = "nvidia.com/gpu.compute.major";
  public static final String COMPUTE_MINOR = "nvidia.com/gpu.compute.minor";
  public static final String CUDA_MAJOR = "cuda-major-version";
  public static final String CUDA_MINOR = "cuda-minor-version";
  /** The mode this node's agent runs: pgpu, vgpu or mps. */
  public static final String MODE = "kubeaccel.io/mode";

  /** Every key the agent owns. */
  public static final Set<String> OWNED =
      Set.of(PRODUCT, COUNT, MEMORY, COMPUTE_MAJOR, COMPUTE_MINOR, CUDA_MAJOR, CUDA_MINOR, MODE);

  private final String mode;
  private final NodeMetadataPublisher publisher;

  public NodeLabels(String mode, NodeMetadataPublisher publisher) {
    this.mode = mode;
    this.publisher = publisher;
  }

  /** Publishes the labels {@code inventory} calls for (coalesced and retried by the publisher). */
  public void publish(Inventory inventory) {
    publisher.publish(OWNED, of(mode, inventory), Map.of());
  }

  /**
   * The labels for {@code inventory}: the first card's product, memory and capability (a node's cards are one model
   * in practice), the card count, the driver's CUDA version. Without cards (NVML not answering) only the mode.
   */
  static Map<String, String> of(String mode, Inventory inventory) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MODE, mode);
    if (inventory.gpus().isEmpty()) {
      return labels;
    }
    Gpu first = inventory.gpus().get(0);
    labels.put(PRODUCT, labelValue(first.model()));
    labels.put(COUNT, Integer.toString(inventory.gpus().size()));
    labels.put(MEMORY, Long.toString(first.memoryMiB()));
    labels.put(COMPUTE_MAJOR, Integer.toString(first.computeCapability().major()));
    labels.put(COMPUTE_MINOR, Integer.toString(first.computeCapability().minor()));
    if (inventory.driver() != null) {
      labels.put(CUDA_MAJOR, Integer.toString(inventory.driver().cudaVersion().major()));
      labels.put(CUDA_MINOR, Integer.toString(inventory.driver().cudaVersion().minor()));
    }
    return labels;
  }

  /** A product name as a label value: spaces to '-', other characters a label cannot hold dropped, at most 63. */
  static String labelValue(String model) {
    String value = model.trim().replace(' ', '-').replaceAll("[^A-Za-z0-9._-]", "");
    value = value.length() > 63 ? value.substring(0, 63) : value;
    return value.replaceAll("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "");
  }
}
