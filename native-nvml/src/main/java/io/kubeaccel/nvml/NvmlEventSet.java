package io.kubeaccel.nvml;

import java.time.Duration;
import java.util.Optional;

/**
 * An NVML event set: GPUs register the event types they should report, one thread waits for them.
 *
 * <p>Not meant for concurrent waits: NVML delivers each event once, to one waiter.
 */
public interface NvmlEventSet extends AutoCloseable {

  /**
   * Registers {@code eventTypes} (a mask of {@link NvmlEventTypes}) of {@code device} ({@code
   * nvmlDeviceRegisterEvents}).
   */
  void register(NvmlDevice device, long eventTypes);

  /**
   * Waits up to {@code timeout} for the next event ({@code nvmlEventSetWait_v2}).
   *
   * @return the event, or empty when the wait timed out ({@link NvmlReturn#TIMEOUT} is not an error here)
   * @throws NvmlException for every other failure, e.g. {@link NvmlReturn#GPU_IS_LOST}
   */
  Optional<NvmlEvent> await(Duration timeout);

  /** Frees the set ({@code nvmlEventSetFree}). */
  @Override
  void close();
}
