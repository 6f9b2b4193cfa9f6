package io.kubeaccel.nvml;

import static io.kubeaccel.nvml.NvmlFailuresTest.code;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import io.kubeaccel.nvml.fake.FakeGpu;
import io.kubeaccel.nvml.fake.FakeGpuModel;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compute mode is the GPU's state, not a process's: set through NVML, it outlives the process, reaches every process
 * using the node, and is published in the node's {@code compute-mode} file.
 */
class NvmlComputeModeTest {
  @TempDir
  Path dir;

  @Test
  void startsInTheInventorysModeAndPublishesItAtInit() {
    FakeInventory inventory = FakeInventory.builder()
        .gpu(FakeGpu.of(FakeGpuModel.A100_SXM4_40GB, "cm", 0))
        .gpu(FakeGpu.of(FakeGpuModel.A100_SXM4_40GB, "cm", 1)
            .withComputeMode(ComputeMode.EXCLUSIVE_PROCESS))
        .build();
    FakeNode node = FakeNode.create(dir, inventory);
    assertThat(node.computeModeFile()).doesNotExist();
    assertThat(node.computeModes().values())
        .containsExactly(ComputeMode.DEFAULT, ComputeMode.EXCLUSIVE_PROCESS);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      assertThat(nvml.device(0).computeMode()).isEqualTo(ComputeMode.DEFAULT);
      assertThat(nvml.device(1).computeMode()).isEqualTo(ComputeMode.EXCLUSIVE_PROCESS);
      assertThat(node.computeModeFile())
          .hasContent(inventory.gpu(0).uuid() + " DEFAULT\n" + inventory.gpu(1).uuid()
              + " EXCLUSIVE_PROCESS");
    }
  }

  @Test
  void aSetModeOutlivesTheProcessStateLikeTheDriversDoes() throws IOException {
    FakeInventory inventory = FakeInventory.fourGpusTwoNumaNvlinkPairs();
    FakeNode node = FakeNode.create(dir, inventory);
    String uuid = inventory.gpu(2).uuid();
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      nvml.device(2).setComputeMode(ComputeMode.EXCLUSIVE_PROCESS);
      assertThat(nvml.device(2).computeMode()).isEqualTo(ComputeMode.EXCLUSIVE_PROCESS);
      assertThat(nvml.device(1).computeMode()).isEqualTo(ComputeMode.DEFAULT);
      assertThat(node.computeModes()).containsEntry(uuid, ComputeMode.EXCLUSIVE_PROCESS);
    }
    assertThat(Files.readAllLines(node.controlFile()))
        .containsExactly("computemode " + uuid + " EXCLUSIVE_PROCESS");
    try (Nvml restarted = Nvml.open(node.libraryPath())) {
      assertThat(restarted.device(2).computeMode()).isEqualTo(ComputeMode.EXCLUSIVE_PROCESS);
      restarted.device(2).setComputeMode(ComputeMode.DEFAULT);
    }
    assertThat(node.computeModes().values()).containsOnly(ComputeMode.DEFAULT);
  }

  @Test
  void anotherProcessSeesTheModeAndItsShutdownRestoresDefault() throws Exception {
    FakeInventory inventory = FakeInventory.fourGpusTwoNumaNvlinkPairs();
    FakeNode node = FakeNode.create(dir, inventory);
    String uuid = inventory.gpu(3).uuid();
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      NvmlDevice gpu3 = nvml.device(3);
      Process child = new ProcessBuilder(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-cp",
              System.getProperty("java.class.path"),
              ComputeModeChild.class.getName(),
              dir.toString(),
              uuid)
          .redirectError(dir.resolve("child.err").toFile())
          .start();
      try (BufferedReader out = child.inputReader(StandardCharsets.UTF_8);
          Writer in = child.outputWriter(StandardCharsets.UTF_8)) {
        assertThat(nextLine(out)).isEqualTo("set EXCLUSIVE_PROCESS");
        assertThat(gpu3.computeMode())
            .as("seen from this process")
            .isEqualTo(ComputeMode.EXCLUSIVE_PROCESS);
        assertThat(node.computeModes()).containsEntry(uuid, ComputeMode.EXCLUSIVE_PROCESS);

        in.write("stop\n");
        in.flush();
        assertThat(nextLine(out)).isEqualTo("restored DEFAULT");
      } finally {
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(child.exitValue())
          .as(Files.readString(dir.resolve("child.err")))
          .isZero();
      assertThat(node.computeModes().values()).containsOnly(ComputeMode.DEFAULT);
      assertThat(gpu3.computeMode()).isEqualTo(ComputeMode.DEFAULT);
    }
  }

  private static String nextLine(BufferedReader out) throws Exception {
    return CompletableFuture.supplyAsync(() -> {
          try {
            return out.readLine();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        })
        .get(60, TimeUnit.SECONDS);
  }

  @Test
  void anAdminsChangeThroughTheControlFileReachesTheProcess() {
    FakeInventory inventory = FakeInventory.fourGpusTwoNumaNvlinkPairs();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      node.setComputeMode(inventory.gpu(0).uuid(), ComputeMode.PROHIBITED);
      assertThat(nvml.device(0).computeMode()).isEqualTo(ComputeMode.PROHIBITED);
      assertThat(node.computeModes())
          .containsEntry(inventory.gpu(0).uuid(), ComputeMode.PROHIBITED);
    }
  }

  @Test
  void exclusiveThreadIsRefusedAndNoPermissionCanBeScripted() {
    FakeInventory inventory = FakeInventory.fourGpusTwoNumaNvlinkPairs();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      NvmlDevice gpu0 = nvml.device(0);
      assertThatThrownBy(() -> gpu0.setComputeMode(ComputeMode.EXCLUSIVE_THREAD))
          .isInstanceOfSatisfying(
              NvmlException.class,
              code(NvmlReturn.NOT_SUPPORTED, "nvmlDeviceSetComputeMode", "Not Supported"));

      node.failCalls("nvmlDeviceSetComputeMode", inventory.gpu(0).uuid(), NvmlReturn.NO_PERMISSION);
      assertThatThrownBy(() -> gpu0.setComputeMode(ComputeMode.EXCLUSIVE_PROCESS))
          .isInstanceOfSatisfying(
              NvmlException.class,
              code(
                  NvmlReturn.NO_PERMISSION,
                  "nvmlDeviceSetComputeMode",
                  "Insufficient Permissions"));
      assertThat(gpu0.computeMode()).isEqualTo(ComputeMode.DEFAULT);
      nvml.device(1).setComputeMode(ComputeMode.PROHIBITED);
      node.failCalls("nvmlDeviceGetComputeMode", null, NvmlReturn.GPU_IS_LOST);
      assertThatThrownBy(gpu0::computeMode)
          .isInstanceOfSatisfying(
              NvmlException.class, e -> assertThat(e.code()).isEqualTo(NvmlReturn.GPU_IS_LOST));
    }
    assertThat(node.computeModes())
        .containsEntry(inventory.gpu(0).uuid(), ComputeMode.DEFAULT)
        .containsEntry(inventory.gpu(1).uuid(), ComputeMode.PROHIBITED);
  }

  @Test
  void keepsNvmlsCContract() {
    FakeNode.create(dir, FakeInventory.fourGpusTwoNumaNvlinkPairs());
    RawFakeLibrary raw = RawFakeLibrary.in(dir);
    assertThat(raw.nvmlInit_v2()).isZero();
    PointerByReference handle = new PointerByReference();
    assertThat(raw.nvmlDeviceGetHandleByIndex_v2(0, handle)).isZero();
    Pointer gpu = handle.getValue();
    assertThat(raw.nvmlDeviceSetComputeMode(gpu, 4)).isEqualTo(NvmlReturn.INVALID_ARGUMENT.value());
    assertThat(raw.nvmlDeviceSetComputeMode(gpu, -1))
        .isEqualTo(NvmlReturn.INVALID_ARGUMENT.value());
    assertThat(raw.nvmlDeviceGetComputeMode(gpu, null))
        .isEqualTo(NvmlReturn.INVALID_ARGUMENT.value());
    IntByReference mode = new IntByReference(-1);
    assertThat(raw.nvmlDeviceGetComputeMode(new Pointer(0x1234), mode))
        .isEqualTo(NvmlReturn.INVALID_ARGUMENT.value());
    assertThat(raw.nvmlShutdown()).isZero();
    assertThat(raw.nvmlDeviceGetComputeMode(gpu, mode)).isEqualTo(NvmlReturn.UNINITIALIZED.value());
  }

  @Test
  void aReplacedInventoryStartsWithoutThePublishedModes() {
    FakeNode node = FakeNode.create(dir, FakeInventory.fourGpusTwoNumaNvlinkPairs());
    Nvml.open(node.libraryPath()).close();
    assertThat(node.computeModeFile()).exists();

    node.replaceInventory(FakeInventory.builder()
        .gpu(FakeGpu.of(FakeGpuModel.TESLA_T4, "replaced", 0)
            .withComputeMode(ComputeMode.PROHIBITED))
        .build());

    assertThat(node.computeModeFile()).doesNotExist();
    Map<String, ComputeMode> modes = node.computeModes();
    assertThat(modes.values()).containsExactly(ComputeMode.PROHIBITED);
  }
}
