package io.kubeaccel.nvml;

import static io.kubeaccel.nvml.NvmlFailuresTest.code;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.nvml.fake.FakeGpu;
import io.kubeaccel.nvml.fake.FakeGpuModel;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeMigDevice;
import io.kubeaccel.nvml.fake.FakeNode;
import io.kubeaccel.nvml.fake.FakeProcess;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drivers before R510 lack {@code nvmlDeviceGetComputeRunningProcesses_v3}, R470 has {@code _v2}, older ones only the
 * unversioned call: the binding falls back through them when a symbol is missing or NVML answers FUNCTION_NOT_FOUND,
 * and remembers per instance the one that answered.
 */
class NvmlComputeProcessesFallbackTest {
  private static final long MIB = 1L << 20;
  private static final String V3 = "nvmlDeviceGetComputeRunningProcesses_v3";
  private static final String V2 = "nvmlDeviceGetComputeRunningProcesses_v2";
  private static final String V1 = "nvmlDeviceGetComputeRunningProcesses";

  @TempDir
  Path dir;

  /** GPU 0 in MIG mode with a process on two MIG devices, GPU 1 whole with two (over 4 GiB: the high word counts). */
  private FakeNode migAndWholeGpus() {
    FakeInventory mig = FakeInventory.a100MigMixed();
    FakeInventory inventory = mig.toBuilder()
        .gpu(FakeGpu.of(FakeGpuModel.H100_80GB_HBM3, "whole", 2)
            .withProcesses(FakeProcess.of(4242, 70_000, 30, 10), FakeProcess.of(4343, 1, 0, 0)))
        .build();
    FakeNode node = FakeNode.create(dir, inventory);
    FakeMigDevice big = inventory.gpu(0).migDevices().get(0);
    FakeMigDevice small = inventory.gpu(0).migDevices().get(2);
    node.startProcess(big.uuid(), FakeProcess.of(7001, 10_000, 80, 40));
    node.startProcess(small.uuid(), FakeProcess.of(7002, 3000, 20, 10));
    return node;
  }

  private static List<ProcessInfo> wholeGpuProcesses() {
    return List.of(new ProcessInfo(4242, 70_000 * MIB, -1, -1), new ProcessInfo(4343, MIB, -1, -1));
  }

  private static int lastGpu(Nvml nvml) {
    return nvml.deviceCount() - 1;
  }

  @Test
  void withoutV3TheSameProcessesComeFromV2AndV2IsRemembered() {
    FakeNode node = migAndWholeGpus();
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      List<ProcessInfo> viaV3 = nvml.device(0).computeRunningProcesses();
      assertThat(viaV3).hasSize(2).allMatch(ProcessInfo::onMigDevice);

      node.failCalls(V3, null, NvmlReturn.FUNCTION_NOT_FOUND);
      try (Nvml older = Nvml.open(node.libraryPath())) {
        assertThat(older.device(0).computeRunningProcesses()).isEqualTo(viaV3);
        assertThat(older.device(lastGpu(older)).computeRunningProcesses())
            .isEqualTo(wholeGpuProcesses());

        // _v3 answers again, but this instance goes straight to _v2: a rule on _v2 now shows.
        node.clearFailures();
        node.failCalls(V2, null, NvmlReturn.NO_PERMISSION);
        assertThatThrownBy(() -> older.device(0).computeRunningProcesses())
            .isInstanceOfSatisfying(
                NvmlException.class,
                code(NvmlReturn.NO_PERMISSION, V2, "Insufficient Permissions"));
        // The other instance found _v3 first and stays with it.
        assertThat(nvml.device(0).computeRunningProcesses()).isEqualTo(viaV3);
      }
    }
  }

  @Test
  void withoutV3AndV2TheUnversionedCallListsThemWithoutInstanceIds() {
    FakeNode node = migAndWholeGpus();
    node.failCalls(V3, null, NvmlReturn.FUNCTION_NOT_FOUND);
    node.failCalls(V2, null, NvmlReturn.FUNCTION_NOT_FOUND);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      assertThat(nvml.device(lastGpu(nvml)).computeRunningProcesses())
          .isEqualTo(wholeGpuProcesses());
      assertThat(nvml.device(0).computeRunningProcesses())
          .containsExactly(
              new ProcessInfo(7001, 10_000 * MIB, ProcessInfo.NO_INSTANCE, ProcessInfo.NO_INSTANCE),
              new ProcessInfo(7002, 3000 * MIB, ProcessInfo.NO_INSTANCE, ProcessInfo.NO_INSTANCE))
          .noneMatch(ProcessInfo::onMigDevice);
      for (int pid = 100; pid < 120; pid++) { // past one size query's headroom: the retry loop
        node.startProcess(nvml.device(lastGpu(nvml)).uuid(), FakeProcess.of(pid, pid, 0, 0));
      }
      assertThat(nvml.device(lastGpu(nvml)).computeRunningProcesses())
          .hasSize(22)
          .contains(new ProcessInfo(119, 119 * MIB, -1, -1));
    }
  }

  @Test
  void whenNoVersionAnswersTheExceptionNamesAllThree() {
    FakeNode node = migAndWholeGpus();
    for (String symbol : List.of(V3, V2, V1)) {
      node.failCalls(symbol, null, NvmlReturn.FUNCTION_NOT_FOUND);
    }
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      assertThatThrownBy(() -> nvml.device(1).computeRunningProcesses())
          .isInstanceOfSatisfying(NvmlException.class, e -> {
            assertThat(e.code()).isEqualTo(NvmlReturn.FUNCTION_NOT_FOUND);
            assertThat(e.function()).isEqualTo(V1);
            assertThat(e.getMessage())
                .contains("Function Not Found")
                .contains(V3 + " (FUNCTION_NOT_FOUND)", V2 + " (FUNCTION_NOT_FOUND)")
                .contains(V1 + " (FUNCTION_NOT_FOUND)");
          });
      node.clearFailures(V1);
      assertThat(nvml.device(lastGpu(nvml)).computeRunningProcesses())
          .isEqualTo(wholeGpuProcesses());
    }
  }

  @Test
  void aSymbolTheLibraryLacksIsSkippedAndNotLookedUpAgain() {
    migAndWholeGpus();
    Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    NvmlLibrary r470 = lacking(Set.of(V3), calls);
    JnaNvml nvml = open(r470);
    try {
      int last = lastGpu(nvml);
      assertThat(nvml.device(last).computeRunningProcesses()).isEqualTo(wholeGpuProcesses());
      assertThat(nvml.device(last).computeRunningProcesses()).isEqualTo(wholeGpuProcesses());
      assertThat(calls.get(V3)).as("tried once").hasValue(1);
      assertThat(calls.get(V2)).as("size query and fill, twice").hasValue(4);
      assertThat(calls).doesNotContainKey(V1);
    } finally {
      nvml.close();
    }
  }

  @Test
  void aLibraryWithNoneOfTheSymbolsGetsTheTypedException() {
    migAndWholeGpus();
    JnaNvml nvml = open(lacking(Set.of(V3, V2, V1), new ConcurrentHashMap<>()));
    try {
      assertThatThrownBy(() -> nvml.device(0).computeRunningProcesses())
          .isInstanceOfSatisfying(NvmlException.class, e -> {
            assertThat(e.code()).isEqualTo(NvmlReturn.FUNCTION_NOT_FOUND);
            assertThat(e.getMessage())
                .contains(V3 + " (not in the library)")
                .contains(V2 + " (not in the library)")
                .contains(V1 + " (not in the library)");
          });
    } finally {
      nvml.close();
    }
  }

  private JnaNvml open(NvmlLibrary library) {
    assertThat(library.nvmlInit_v2()).isZero();
    return new JnaNvml(library, "test");
  }

  /** This directory's fake, but calling one of {@code missing} throws what JNA throws for an absent symbol. */
  private NvmlLibrary lacking(Set<String> missing, Map<String, AtomicInteger> calls) {
    NvmlLibrary real = RawFakeLibrary.in(dir);
    return (NvmlLibrary) Proxy.newProxyInstance(
        NvmlLibrary.class.getClassLoader(),
        new Class<?>[] {NvmlLibrary.class},
        (proxy, method, args) -> {
          calls.computeIfAbsent(method.getName(), name -> new AtomicInteger()).incrementAndGet();
          if (missing.contains(method.getName())) {
            throw new UnsatisfiedLinkError(
                "Error looking up function '" + method.getName() + "': undefined symbol");
          }
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
