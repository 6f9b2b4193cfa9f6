package io.kubeaccel.vgpu;

import io.kubeaccel.core.ledger.ContainerRef;
import io.kubeaccel.core.sharing.ShareAllocator.Placed;
import io.kubeaccel.core.spi.ContainerAllocation;

/**
 * Turns a container's grant into what makes the limits hold inside the container. One implementation per in-container
 * enforcement mechanism; the default is HAMi-core's ({@link HamiCoreBackend}).
 */
public sealed interface EnforcementBackend permits HamiCoreBackend {

  /**
   * What the container receives for {@code placed}.
   *
   * @throws java.io.UncheckedIOException when host-side preparation (e.g. the per-container cache directory) fails
   */
  ContainerAllocation respond(Placed placed);

  /** The container's grant ended: clean up what {@link #respond} prepared on the host. */
  void released(ContainerRef container);
}
