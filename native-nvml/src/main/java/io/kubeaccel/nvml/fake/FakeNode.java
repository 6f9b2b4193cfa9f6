package io.kubeaccel.nvml.fake;

import io.kubeaccel.nvml.ComputeMode;
import io.kubeaccel.nvml.NvmlLibraryPath;
import io.kubeaccel.nvml.NvmlReturn;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A simulated node's NVML in one directory: a private copy of the fake {@code libnvidia-ml.so.1}, its {@code
 * inventory.json}, the {@code control} file that steers it at run time, and a fake sysfs ({@code sys/bus/pci/devices/
 * <bus id>/numa_node}) for code that reads NUMA placement from sysfs. The library adds {@code compute-mode}, every
 * GPU's current compute mode.
 *
 * <p>Load it exactly as production loads the real library: {@code Nvml.open(node.libraryPath())}. Every directory is
 * its own library file, so several simulated nodes can be open in one process. The control methods append one line
 * to {@code control}; the library applies it on its next NVML call, in this or any other process.
 */
public final class FakeNode {
  /** Where the build puts the compiled fake in the jar: a path JNA's own classpath search never looks at. */
  static final String LIBRARY_RESOURCE = "/io/kubeaccel/nvml/fake/libnvidia-ml.so.1";
  /** Written by the library beside the control file; see {@link #computeModes()}. */
  static final String COMPUTE_MODE_FILE = "compute-mode";

  private final Path directory;
  // A node is a directory whose inventory file can be replaced; this mirrors the file's content.
  private volatile FakeInventory inventory;

  private FakeNode(Path directory, FakeInventory inventory) {
    this.directory = directory;
    this.inventory = inventory;
  }

  /**
   * Sets up a simulated node in {@code dir} (created if absent): the library, {@code inventory.json}, an empty {@code
   * control} and the fake sysfs. The directory should not be in use by a loaded library already.
   *
   * @throws IllegalStateException if the fake library is not on the classpath (native-nvml built without it)
   * @throws UncheckedIOException if the files cannot be written
   */
  public static FakeNode create(Path dir, FakeInventory inventory) {
    try {
      Files.createDirectories(dir);
      try (InputStream library = FakeNode.class.getResourceAsStream(LIBRARY_RESOURCE)) {
        if (library == null) {
          throw new IllegalStateException(
              "fake NVML library not built: classpath resource " + LIBRARY_RESOURCE
                  + " is missing (build native-nvml" + " with Maven on Linux with gcc installed)");
        }
        // Written beside and renamed into place: overwriting a library file another test may have
        // mapped would
        // change code under its feet.
        Path partial = dir.resolve(".libnvidia-ml.so.1.partial");
        Files.copy(library, partial, StandardCopyOption.REPLACE_EXISTING);
        Files.move(
            partial,
            dir.resolve("libnvidia-ml.so.1"),
            StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      }
      FakeNode node = new FakeNode(dir, inventory);
      node.writeInventory(inventory);
      Files.write(node.controlFile(), new byte[0]);
      return node;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create fake NVML node in " + dir, e);
    }
  }

  /** The node's directory: library, inventory.json, control, sys/. */
  public Path directory() {
    return directory;
  }

  /** The inventory written at creation or by the last {@link #replaceInventory}. */
  public FakeInventory inventory() {
    return inventory;
  }

  /** Only this node's directory: nothing from the system can be loaded instead of the fake. */
  public NvmlLibraryPath libraryPath() {
    return NvmlLibraryPath.only(directory);
  }

  /** Root of the fake sysfs, the stand-in for {@code /sys}. */
  public Path sysfsRoot() {
    return directory.resolve("sys");
  }

  public Path inventoryFile() {
    return directory.resolve("inventory.json");
  }

  public Path controlFile() {
    return directory.resolve("control");
  }

  /**
   * Writes a new inventory (and its sysfs entries). The library reads it at its next first {@code nvmlInit} (after
   * every instance is closed), like a node whose GPUs changed across a driver reload; the control file and its
   * effects are kept.
   *
   * @return this node, now reporting {@code newInventory} from {@link #inventory()}
   */
  public FakeNode replaceInventory(FakeInventory newInventory) {
    writeInventory(newInventory);
    inventory = newInventory;
    return this;
  }

  /** Queues XID {@code xid} on the GPU {@code uuid}; sets that registered XID events for it receive it. */
  public void injectXid(String uuid, int xid) {
    appendControl("xid " + uuid + " " + xid);
  }

  /** From now on NVML function {@code function} fails with {@code code}, for GPU {@code uuidOrNull} or every GPU. */
  public void failCalls(String function, String uuidOrNull, NvmlReturn code) {
    appendControl(
        "fail " + function + " " + (uuidOrNull == null ? "*" : uuidOrNull) + " " + code.name());
  }

  /** Removes every failure, from the inventory and from {@link #failCalls}. Lost GPUs stay lost. */
  public void clearFailures() {
    appendControl("clear *");
  }

  /** Removes the failures of one NVML function. */
  public void clearFailures(String function) {
    appendControl("clear " + function);
  }

  /** The GPU falls off the bus: an XID 79 event, then GPU_IS_LOST from every call about it. */
  public void loseGpu(String uuid) {
    appendControl("lost " + uuid);
  }

  /** Undoes {@link #loseGpu}: calls about the GPU work again (as after a successful GPU reset). */
  public void recoverGpu(String uuid) {
    appendControl("recover " + uuid);
  }

  /** From now on the GPU reports this utilisation, in percent. */
  public void setUtilization(String uuid, int gpuPercent, int memoryPercent) {
    appendControl("util " + uuid + " " + gpuPercent + " " + memoryPercent);
  }

  /** From now on the GPU reports this temperature. */
  public void setTemperature(String uuid, int celsius) {
    appendControl("temp " + uuid + " " + celsius);
  }

  /** From now on the GPU reports this power draw. */
  public void setPowerMilliwatts(String uuid, int milliwatts) {
    appendControl("power " + uuid + " " + InventoryJson.watts(milliwatts));
  }

  /**
   * A compute process starts on the GPU or MIG device {@code uuid} (or, with a pid already there, changes): it is
   * listed by {@code nvmlDeviceGetComputeRunningProcesses_v3} and, with a non-zero utilisation, sampled by {@code
   * nvmlDeviceGetProcessUtilization}. The control line carries SM and memory utilisation; encoder and decoder are 0.
   */
  public void startProcess(String uuid, FakeProcess process) {
    appendControl("proc " + uuid + " " + process.pid() + " " + process.usedMiB() + " "
        + process.smUtil() + " " + process.memUtil());
  }

  /** The process {@code pid} on the GPU or MIG device {@code uuid} ends. */
  public void stopProcess(String uuid, int pid) {
    appendControl("noproc " + uuid + " " + pid);
  }

  /**
   * Someone else (an admin with {@code nvidia-smi -c}) sets the GPU's compute mode; every process with this node's
   * library sees it on its next call, as {@code nvmlDeviceSetComputeMode} from any of them would.
   */
  public void setComputeMode(String uuid, ComputeMode mode) {
    appendControl("computemode " + uuid + " " + mode.name());
  }

  /** Where the library publishes every GPU's current compute mode, one {@code <uuid> <MODE>} line each. */
  public Path computeModeFile() {
    return directory.resolve(COMPUTE_MODE_FILE);
  }

  /**
   * Every GPU's compute mode by uuid, in GPU order, as the library last published it (at its first init and at every
   * change, from whichever process made it); the inventory's when no library has initialised since the node was
   * created or its inventory replaced.
   */
  public Map<String, ComputeMode> computeModes() {
    Map<String, ComputeMode> modes = new LinkedHashMap<>();
    try {
      if (!Files.exists(computeModeFile())) {
        inventory.gpus().forEach(gpu -> modes.put(gpu.uuid(), gpu.computeMode()));
        return modes;
      }
      for (String line : Files.readAllLines(computeModeFile(), StandardCharsets.UTF_8)) {
        String[] words = line.trim().split(" ");
        if (words.length == 2) {
          modes.put(words[0], ComputeMode.valueOf(words[1]));
        }
      }
      return modes;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + computeModeFile(), e);
    }
  }

  private void writeInventory(FakeInventory newInventory) {
    try {
      // A new inventory is a new driver state: the published modes are those of the old GPUs.
      Files.deleteIfExists(computeModeFile());
      Path partial = directory.resolve(".inventory.json.partial");
      Files.writeString(partial, newInventory.toJson(), StandardCharsets.UTF_8);
      Files.move(
          partial,
          inventoryFile(),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      Path devices = sysfsRoot().resolve("bus/pci/devices");
      removeDevices(
          devices); // GPUs of a replaced inventory that are gone must vanish from sysfs too
      for (FakeGpu gpu : newInventory.gpus()) {
        Path device = devices.resolve(gpu.sysfsAddress());
        Files.createDirectories(device);
        Files.writeString(
            device.resolve("numa_node"), gpu.numaNode() + "\n", StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the fake NVML inventory in " + directory, e);
    }
  }

  private static void removeDevices(Path devices) throws IOException {
    if (!Files.isDirectory(devices)) {
      return;
    }
    try (var entries = Files.list(devices)) {
      for (Path device : entries.toList()) {
        Files.deleteIfExists(device.resolve("numa_node"));
        Files.deleteIfExists(device);
      }
    }
  }

  /** One write with O_APPEND per line, so a reader in another process never sees half a command. */
  private void appendControl(String line) {
    try {
      Files.write(
          controlFile(),
          (line + "\n").getBytes(StandardCharsets.UTF_8),
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND,
          StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + controlFile(), e);
    }
  }

  @Override
  public String toString() {
    return "FakeNode[" + directory + ", " + inventory.gpus().size() + " GPUs]";
  }
}
