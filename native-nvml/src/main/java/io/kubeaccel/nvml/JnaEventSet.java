package io.kubeaccel.nvml;

import com.sun.jna.Pointer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An {@code nvmlEventSet_t}. Remembers the devices registered with it so that an event's {@code device} handle comes
 * back as the very {@link NvmlDevice} the caller registered (NVML hands out the same handle value for a GPU).
 */
final class JnaEventSet implements NvmlEventSet {
  private static final String WAIT = "nvmlEventSetWait_v2";

  private final JnaNvml owner;
  private final Pointer handle;
  private final Map<Pointer, NvmlDevice> registered = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  JnaEventSet(JnaNvml owner, Pointer handle) {
    this.owner = owner;
    this.handle = handle;
  }

  @Override
  public void register(NvmlDevice device, long eventTypes) {
    if (!(device instanceof JnaDevice jnaDevice) || jnaDevice.owner() != owner) {
      throw new IllegalArgumentException("not a device of this Nvml instance: " + device);
    }
    String function = "nvmlDeviceRegisterEvents";
    ensureOpen(function);
    owner.check(
        owner.library().nvmlDeviceRegisterEvents(jnaDevice.handle(), eventTypes, handle), function);
    registered.put(jnaDevice.handle(), device);
  }

  @Override
  public Optional<NvmlEvent> await(Duration timeout) {
    ensureOpen(WAIT);
    NvmlStructs.EventDataStruct data = new NvmlStructs.EventDataStruct();
    int returnCode = owner.library().nvmlEventSetWait_v2(handle, data, timeoutMillis(timeout));
    if (returnCode == NvmlReturn.TIMEOUT.value()) {
      return Optional.empty();
    }
    owner.check(returnCode, WAIT);
    NvmlDevice device = registered.get(data.device);
    if (device == null) {
      // Not registered through this set (cannot happen with NVML's semantics); still name the GPU
      // correctly.
      device = new JnaDevice(owner, owner.indexOf(data.device), data.device);
    }
    return Optional.of(new NvmlEvent(
        device, data.eventType, data.eventData, data.gpuInstanceId, data.computeInstanceId));
  }

  /** NVML takes an unsigned int of milliseconds; negative waits become 0, huge ones the largest int. */
  private static int timeoutMillis(Duration timeout) {
    if (timeout.isNegative()) {
      return 0;
    }
    try {
      return (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    } catch (ArithmeticException e) {
      return Integer.MAX_VALUE;
    }
  }

  private void ensureOpen(String function) {
    owner.ensureOpen(function);
    if (closed.get()) {
      throw new NvmlException(NvmlReturn.INVALID_ARGUMENT, function, "event set already freed");
    }
  }

  @Override
  public void close() {
    // After the Nvml instance is closed NVML has already freed the set; freeing it again would be
    // an error.
    if (closed.compareAndSet(false, true) && !owner.isClosed()) {
      owner.check(owner.library().nvmlEventSetFree(handle), "nvmlEventSetFree");
    }
  }
}
