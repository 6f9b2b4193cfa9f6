package io.kubeaccel.pgpu.config;

import java.util.List;

/**
 * Cards offered several times over, time-sliced by the GPU ({@code sharing.timeSlicing} of NVIDIA's config).
 *
 * @param renameByDefault serve replicated cards as {@code <name>.shared} unless a resource says otherwise
 * @param failRequestsGreaterThanOne refuse containers asking more than one replica, so nobody believes two replicas
 *     are twice the card
 * @param resources what to replicate; empty when nothing is shared
 */
public record TimeSlicing(
    boolean renameByDefault,
    boolean failRequestsGreaterThanOne,
    List<ReplicatedResource> resources) {

  /** No sharing. */
  public static final TimeSlicing NONE = new TimeSlicing(false, false, List.of());

  /** The suffix {@code renameByDefault} adds. */
  public static final String SHARED_SUFFIX = ".shared";

  public TimeSlicing {
    resources = List.copyOf(resources);
  }

  /** Whether any card is replicated. */
  public boolean enabled() {
    return !resources.isEmpty();
  }

  /** The resource name {@code resource}'s replicas are served under. */
  public String servedName(ReplicatedResource resource) {
    if (resource.rename() != null) {
      return resource.rename();
    }
    return renameByDefault ? resource.name() + SHARED_SUFFIX : resource.name();
  }

  /**
   * One resource to replicate.
   *
   * @param name the resource replicated, e.g. {@code nvidia.com/gpu} or {@code nvidia.com/mig-1g.5gb}
   * @param rename the name to serve the replicas under, or null
   * @param devices which of the resource's devices to replicate
   * @param replicas how many replicas of each, at least 2
   */
  public record ReplicatedResource(
      String name, String rename, ReplicaDevices devices, int replicas) {}

  /** Which devices of a resource are replicated. */
  public sealed interface ReplicaDevices {
    /** Every device. */
    record All() implements ReplicaDevices {}

    /** The first {@code count} devices in index order. */
    record Count(int count) implements ReplicaDevices {}

    /** Devices named by index ({@code 0}, or {@code 0:1} for a MIG device) or UUID. */
    record Listed(List<String> refs) implements ReplicaDevices {
      public Listed {
        refs = List.copyOf(refs);
      }
    }
  }
}
