package io.kubeaccel.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding the library, reading the inventory at init, and what goes wrong when either is missing or bad. */
class NvmlLibraryLoadingTest {
  @TempDir
  Path dir;

  @Test
  void anAbsentLibraryIsLibraryNotFoundNamingEveryPlaceSearched(
      @TempDir Path empty, @TempDir Path alsoEmpty) {
    assertThatThrownBy(() -> Nvml.open(new NvmlLibraryPath(List.of(empty, alsoEmpty), false)))
        .isInstanceOfSatisfying(NvmlException.class, e -> {
          assertThat(e.code()).isEqualTo(NvmlReturn.LIBRARY_NOT_FOUND);
          assertThat(e.function()).isEqualTo("load");
          assertThat(e.getMessage())
              .contains(empty.resolve("libnvidia-ml.so.1").toAbsolutePath().toString())
              .contains(empty.resolve("libnvidia-ml.so").toAbsolutePath().toString())
              .contains(alsoEmpty.resolve("libnvidia-ml.so.1").toAbsolutePath().toString())
              .contains("NVIDIA container runtime")
              .contains("driver");
        });
  }

  @Test
  void jnaIsGivenTheStandardLibraryDirectoriesThatExistAndAValueSetBeforeWins() {
    String before = System.getProperty(NvmlLibraryLoader.PLATFORM_PATH_PROPERTY);
    try {
      System.clearProperty(NvmlLibraryLoader.PLATFORM_PATH_PROPERTY);
      NvmlLibraryLoader.setPlatformPathUnlessGiven();
      List<String> given =
          List.of(System.getProperty(NvmlLibraryLoader.PLATFORM_PATH_PROPERTY).split(":"));
      assertThat(given).contains("/usr/lib").doesNotHaveDuplicates();
      assertThat(given).allSatisfy(directory -> assertThat(Path.of(directory)).isDirectory());

      System.setProperty(NvmlLibraryLoader.PLATFORM_PATH_PROPERTY, "/opt/given");
      NvmlLibraryLoader.setPlatformPathUnlessGiven();
      assertThat(System.getProperty(NvmlLibraryLoader.PLATFORM_PATH_PROPERTY))
          .isEqualTo("/opt/given");
    } finally {
      if (before == null) {
        System.clearProperty(NvmlLibraryLoader.PLATFORM_PATH_PROPERTY);
      } else {
        System.setProperty(NvmlLibraryLoader.PLATFORM_PATH_PROPERTY, before);
      }
    }
  }

  @Test
  void loadingFromTheSystemPathStartsNoChildProcess() throws Exception {
    FakeNode node = FakeNode.create(dir, FakeInventory.fourGpusTwoNumaNvlinkPairs());
    // A fresh JVM: JNA looks its default directories up once per process, at its first library
    // lookup. The fake library is found the way a driver's is, through the dynamic linker's path.
    ProcessBuilder builder = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            SystemPathChild.class.getName())
        .redirectErrorStream(true);
    builder.environment().put("LD_LIBRARY_PATH", node.directory().toString());
    Process child = builder.start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as(output).isZero();
    assertThat(output)
        .contains("devices 4")
        // The JDK's "process reaper" thread outlives a child process by a minute: JNA's ldconfig
        // run would leave it behind.
        .contains("process reaper threads 0");
  }

  @Test
  void twoSimulatedNodesInOneProcessEachReportTheirOwnInventory(@TempDir Path other) {
    FakeNode dgx = FakeNode.create(dir, FakeInventory.dgx1CubeMesh());
    FakeNode pcie = FakeNode.create(other, FakeInventory.pcieOnlyTwoSocket(3));
    try (Nvml first = Nvml.open(dgx.libraryPath());
        Nvml second = Nvml.open(pcie.libraryPath())) {
      assertThat(first.deviceCount()).isEqualTo(8);
      assertThat(second.deviceCount()).isEqualTo(3);
      assertThat(first.device(0).uuid()).isEqualTo(dgx.inventory().gpu(0).uuid());
      assertThat(second.device(0).uuid()).isEqualTo(pcie.inventory().gpu(0).uuid());
      assertThat(first.driverVersion()).isNotEqualTo(second.driverVersion());

      // Control commands reach only their own node.
      pcie.loseGpu(pcie.inventory().gpu(0).uuid());
      assertThat(first.device(0).name()).isEqualTo("Tesla V100-SXM2-16GB");
      assertThatThrownBy(() -> second.device(0)).isInstanceOf(NvmlException.class);
    }
  }

  @Test
  void aMalformedInventoryFailsOpenNamingTheFileLineAndProblem() throws IOException {
    FakeNode node = FakeNode.create(dir, FakeInventory.fourGpusTwoNumaNvlinkPairs());
    Files.writeString(
        node.inventoryFile(),
        "{\n  \"driverVersion\": \"550.54.15\",\n  \"gpus\": [\n    {\"memoryMiB\": \"lots\"}\n  ]\n}\n");

    assertThatThrownBy(() -> Nvml.open(node.libraryPath()))
        .isInstanceOfSatisfying(NvmlException.class, e -> {
          assertThat(e.code()).isEqualTo(NvmlReturn.UNKNOWN);
          assertThat(e.function()).isEqualTo("nvmlInit_v2");
          assertThat(e.getMessage())
              .contains("Unknown Error")
              .contains(node.inventoryFile().toString())
              .contains("line 4")
              .contains("gpus[0].memoryMiB");
        });
  }

  @Test
  void syntaxErrorsAndUnknownMembersAreReportedWithTheirLine() throws IOException {
    FakeNode node = FakeNode.create(dir, FakeInventory.fourGpusTwoNumaNvlinkPairs());
    String[][] cases = {
      {"{\"gpus\": [\n{\"uuid\": \"GPU-x\",}\n]}", "line 2: trailing comma"},
      {"{\"gpus\": [], \"gpuz\": 1}", "unknown member \"gpuz\""},
      {"{\"gpus\": [{}, {}], \"nvlinkMatrix\": [[0, 2], [1, 0]]}", "not symmetric"},
      {"{\"gpus\": [{}], \"events\": [{\"afterMs\": 1, \"gpu\": 3, \"xid\": 79}]}", "events[0].gpu"
      },
      {
        "{\"gpus\": [{}], \"failures\": [{\"function\": \"nvmlNope\", \"code\": \"UNKNOWN\"}]}",
        "nvmlNope"
      },
      {"{\"gpus\": [{\"pciBusId\": \"07:00.0\"}]}", "pciBusId"},
      {"{\"gpus\": [{}, {\"minor\": 0}]}", "gpus[1].minor: the same as gpus[0]"},
      {"", "unexpected end of file"},
      {"[1, 2]", "expected a JSON object"},
    };
    for (String[] c : cases) {
      Files.writeString(node.inventoryFile(), c[0]);
      assertThatThrownBy(() -> Nvml.open(node.libraryPath()))
          .as(c[0])
          .isInstanceOfSatisfying(NvmlException.class, e -> {
            assertThat(e.code()).isEqualTo(NvmlReturn.UNKNOWN);
            assertThat(e.getMessage()).contains(c[1]);
          });
    }
  }

  @Test
  void aMissingInventoryLooksLikeADriverThatIsNotLoaded() throws IOException {
    FakeNode node = FakeNode.create(dir, FakeInventory.fourGpusTwoNumaNvlinkPairs());
    Files.delete(node.inventoryFile());

    assertThatThrownBy(() -> Nvml.open(node.libraryPath()))
        .isInstanceOfSatisfying(NvmlException.class, e -> {
          assertThat(e.code()).isEqualTo(NvmlReturn.DRIVER_NOT_LOADED);
          assertThat(e.getMessage())
              .contains("Driver Not Loaded")
              .contains(node.inventoryFile().toString());
        });
  }

  @Test
  void theReadmeExampleInventoryIsWhatTheLibraryReports() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf("```json\n") + "```json\n".length();
    String example = readme.substring(start, readme.indexOf("```", start));
    FakeNode node = FakeNode.create(dir, FakeInventory.builder().build());
    Files.writeString(node.inventoryFile(), example);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      assertThat(nvml.deviceCount()).isEqualTo(2);
      assertThat(nvml.device(1).migMode()).isEqualTo(new MigMode(true, true));
      assertThat(nvml.device(1).memoryInfo().used()).isEqualTo(512L << 20);
      assertThat(nvml.device(0).nvLinkRemotePciInfo(1).busId()).isEqualTo("00000000:0F:00.0");
      assertThat(nvml.device(0).topologyCommonAncestor(nvml.device(1)))
          .isEqualTo(TopologyLevel.SINGLE);
      NvmlDevice gpu0 = nvml.device(0);
      assertThat(gpu0.computeMode()).isEqualTo(ComputeMode.EXCLUSIVE_PROCESS);
      assertThat(gpu0.utilizationRates()).isEqualTo(new Utilization(35, 20));
      assertThat(gpu0.temperatureCelsius()).isEqualTo(41);
      assertThat(gpu0.powerUsageMilliwatts()).isEqualTo(85_000);
      assertThat(gpu0.computeRunningProcesses())
          .containsExactly(new ProcessInfo(4242, 1024L << 20, -1, -1));
      List<NvmlDevice> migs = nvml.device(1).migDevices();
      assertThat(migs)
          .extracting(NvmlDevice::name)
          .containsExactly("NVIDIA A100-SXM4-40GB MIG 1g.5gb", "NVIDIA A100-SXM4-40GB MIG 3g.20gb");
      assertThat(migs.get(0).uuid()).isEqualTo("MIG-5a0b1d77-3c38-5a1e-9d6b-1c2e8f0a4b11");
      assertThat(migs.get(0).computeRunningProcesses())
          .containsExactly(new ProcessInfo(5151, 2048L << 20, 7, 0));
      assertThat(migs.get(1).gpuInstanceId()).isEqualTo(1);
      assertThat(migs)
          .extracting(d -> d.migProfile().toString())
          .containsExactly("1g.5gb", "3g.20gb");
    }
  }

  @Test
  void theInventoryIsReadAgainAtTheNextFirstInit() {
    FakeNode node = FakeNode.create(dir, FakeInventory.pcieOnlyTwoSocket(4));
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      assertThat(node.replaceInventory(FakeInventory.pcieOnlyTwoSocket(2))
              .inventory()
              .gpus())
          .hasSize(2);
      try (Nvml nested = Nvml.open(node.libraryPath())) {
        assertThat(nested.deviceCount())
            .as("NVML still initialised: no re-read")
            .isEqualTo(4);
      }
    }
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      assertThat(nvml.deviceCount()).isEqualTo(2);
    }
  }
}
