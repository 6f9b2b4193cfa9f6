package io.kubeaccel.mps;

import io.kubeaccel.core.sharing.PlacementPolicy;
import io.kubeaccel.core.sharing.ShareFamily;
import io.kubeaccel.mps.daemon.MpsDaemonSettings;
import java.nio.file.Path;

/**
 * Settings of the MPS mode.
 *
 * @param root the host directory of the node's MPS state: {@code pipe/} (the daemon's pipe directory, mounted into
 *     every MPS container), {@code log/} (its logs) and {@code shm/} (mounted as the containers' {@code /dev/shm}); the
 *     agent sees it at the same path
 * @param control the MPS control program, a path or a name on {@code PATH}
 * @param placement the card for a share the scheduler extender did not choose
 */
public record MpsOptions(Path root, String control, PlacementPolicy placement) {

  /** Compute: 100 = one card, a container's share is its MPS active thread percentage. */
  public static final String CORE_RESOURCE = "nvidia.com/mps-core";

  /** Memory, in 1 GiB units: a container's MPS pinned device memory limit. */
  public static final String MEMORY_RESOURCE = "nvidia.com/mps-memory";

  /** Bytes of one mps-memory unit. */
  public static final long MEMORY_UNIT = 1L << 30;

  /** NVIDIA's host root for MPS, as its device plugin uses it. */
  public static final Path DEFAULT_ROOT = Path.of("/run/nvidia/mps");

  public static MpsOptions defaults() {
    return new MpsOptions(DEFAULT_ROOT, MpsDaemonSettings.DEFAULT_CONTROL, PlacementPolicy.BINPACK);
  }

  /**
   * The resource family: one card per container (at most 100 cores), 1 GiB memory units, no oversubscription (MPS
   * cannot lend out memory it pins), the extender's annotations under {@code mps.kubeaccel.io/}.
   */
  public ShareFamily family() {
    return new ShareFamily(
        "mps", CORE_RESOURCE, MEMORY_RESOURCE, MEMORY_UNIT, "mps.kubeaccel.io/", 1, 1, false);
  }

  /** The daemon's {@code CUDA_MPS_PIPE_DIRECTORY} on the host. */
  public Path pipeDirectory() {
    return root.resolve("pipe");
  }

  /** The daemon's {@code CUDA_MPS_LOG_DIRECTORY} on the host. */
  public Path logDirectory() {
    return root.resolve("log");
  }

  /** The shared-memory directory MPS clients and the server share, mounted as each container's {@code /dev/shm}. */
  public Path shmDirectory() {
    return root.resolve("shm");
  }

  /** How the daemon is run: default checks and back-off. */
  public MpsDaemonSettings daemonSettings() {
    return MpsDaemonSettings.defaults(control, pipeDirectory(), logDirectory());
  }
}
