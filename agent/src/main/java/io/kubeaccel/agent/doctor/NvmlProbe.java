package io.kubeaccel.agent.doctor;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.NumaLocator;
import io.kubeaccel.core.inventory.NvmlInventoryReader;
import io.kubeaccel.nvml.Nvml;
import io.kubeaccel.nvml.NvmlException;
import io.kubeaccel.nvml.NvmlLibraryPath;
import io.kubeaccel.nvml.NvmlReturn;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The node's GPUs as NVML reports them, read once on first use and shared by every check that needs them. NVML is
 * opened, read through the agents' own {@link NvmlInventoryReader} and closed again, so doctor sees exactly what an
 * agent would see at start. A failure is kept as a value: the NVML check reports it, the others skip.
 */
public final class NvmlProbe {

  /** What reading NVML gave. */
  public sealed interface State permits Loaded, Failed {}

  /** NVML loaded and the inventory was read. */
  public record Loaded(Inventory inventory) implements State {}

  /**
   * NVML failed.
   *
   * @param code NVML's return code ({@code LIBRARY_NOT_FOUND} when nothing could be loaded; {@code UNKNOWN} for a
   *     failure that was not NVML's own, e.g. a JNA linkage error)
   * @param message the exception's message; for {@code LIBRARY_NOT_FOUND} it lists every place searched
   * @param initialised whether {@code nvmlInit} had succeeded (then reading the GPUs failed)
   */
  public record Failed(NvmlReturn code, String message, boolean initialised) implements State {}

  private final Supplier<State> reader;
  private State state;

  private NvmlProbe(Supplier<State> reader) {
    this.reader = reader;
  }

  /**
   * Reads the GPUs from the libnvidia-ml.so.1 found on {@code path}, with NUMA nodes from {@code sysRoot}.
   */
  public static NvmlProbe of(NvmlLibraryPath path, Path sysRoot) {
    Objects.requireNonNull(path, "path");
    NvmlInventoryReader inventoryReader =
        new NvmlInventoryReader(new NumaLocator(sysRoot), Clock.systemUTC());
    return new NvmlProbe(() -> read(path, inventoryReader));
  }

  /** The result, reading NVML on the first call; later and concurrent callers get the same value. */
  public synchronized State state() {
    if (state == null) {
      state = reader.get();
    }
    return state;
  }

  private static State read(NvmlLibraryPath path, NvmlInventoryReader inventoryReader) {
    Nvml nvml;
    try {
      nvml = Nvml.open(path);
    } catch (NvmlException e) {
      return new Failed(e.code(), e.getMessage(), false);
    } catch (RuntimeException | LinkageError e) {
      return new Failed(NvmlReturn.UNKNOWN, e.toString(), false);
    }
    try (nvml) {
      return new Loaded(inventoryReader.read(nvml));
    } catch (NvmlException e) {
      return new Failed(e.code(), e.getMessage(), true);
    } catch (RuntimeException | LinkageError e) {
      return new Failed(NvmlReturn.UNKNOWN, e.toString(), true);
    }
  }

  /** How results name a card: {@code GPU 0 (Tesla P100-PCIE-16GB)}. */
  static String card(Gpu gpu) {
    return "GPU " + gpu.index() + " (" + gpu.model() + ")";
  }
}
