package io.kubeaccel.extender;

import io.kubeaccel.core.sharing.ShareFamily;
import java.util.List;

/**
 * The two share families the extender schedules, with the annotation prefixes the agents read. Oversubscription does
 * not matter here: the extender takes each card's capacity as its agent publishes it.
 */
final class Families {

  /** GPU-Manager's resources and annotations: {@code tencent.com/vcuda-core}, 256 MiB memory units. */
  static final ShareFamily VGPU = new ShareFamily(
      "vgpu",
      "tencent.com/vcuda-core",
      "tencent.com/vcuda-memory",
      256L << 20,
      "tencent.com/",
      1.0,
      1.0,
      true);

  /** MPS: {@code nvidia.com/mps-core}, 1 GiB memory units, annotations under the project's own prefix. */
  static final ShareFamily MPS = new ShareFamily(
      "mps",
      "nvidia.com/mps-core",
      "nvidia.com/mps-memory",
      1L << 30,
      "mps.kubeaccel.io/",
      1.0,
      1.0,
      false);

  static final List<ShareFamily> ALL = List.of(VGPU, MPS);

  private Families() {}

  /** The family whose core resource is {@code coreResource}, or null. */
  static ShareFamily byCoreResource(String coreResource) {
    for (ShareFamily family : ALL) {
      if (family.coreResource().equals(coreResource)) {
        return family;
      }
    }
    return null;
  }
}
