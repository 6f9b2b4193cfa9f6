package io.kubeaccel.nvml.fake;

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

/**
 * A simulated node's NVML in one directory: a private copy of the fake {@code libnvidia-ml.so.1}, its {@code
 * inventory.json}, the {@code control} file that steers it at run time, and a fake sysfs ({@code sys/bus/pci/devices/
 * <bus id>/numa_node}) for code that reads NUMA placement from sysfs.
 *
 * <p>Load it exactly as production loads the real library: {@code Nvml.open(node.libraryPath())}. Every directory is
 * its own library file, so several simulated nodes can be open in one process. The control methods append one line
 * to {@code control}; the library applies it on its next NVML call, in this or any other process.
 */
public final class FakeNode {
  /** Where the build puts the compiled fake in the jar: a path JNA's own classpath search never looks at. */
  static final String LIBRARY_RESOURCE = "/io/kubeaccel/nvml/fake/libnvidia-ml.so.1";

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

  private void writeInventory(FakeInventory newInventory) {
    try {
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
