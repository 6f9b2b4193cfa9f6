package io.kubeaccel.core.spi;

import java.util.List;

/** Optional ability of a {@link ModePlugin}: choose which free devices a container should get. */
public interface PreferredAllocator {

  /**
   * Chooses {@code request.size()} device IDs among {@code request.available()}, including every ID of {@code
   * request.mustInclude()}. The core has checked that the IDs are advertised and that the size is satisfiable.
   */
  List<String> preferredAllocation(PreferenceRequest request);
}
