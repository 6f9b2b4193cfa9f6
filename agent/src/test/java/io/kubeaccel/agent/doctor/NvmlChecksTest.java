package io.kubeaccel.agent.doctor;

import static io.kubeaccel.agent.doctor.DoctorFixtures.context;
import static io.kubeaccel.agent.doctor.DoctorFixtures.failingInit;
import static io.kubeaccel.agent.doctor.DoctorFixtures.nvml;
import static io.kubeaccel.agent.doctor.DoctorFixtures.paths;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.nvml.NvmlLibraryPath;
import io.kubeaccel.nvml.NvmlReturn;
import io.kubeaccel.nvml.fake.FakeGpu;
import io.kubeaccel.nvml.fake.FakeGpuModel;
import io.kubeaccel.nvml.fake.FakeInventory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks that read NVML, against the fake libnvidia-ml.so.1 loaded through the production JNA path. */
class NvmlChecksTest {

  @TempDir
  Path root;

  private CheckResult run(DoctorCheck check, DoctorMode mode, NvmlProbe nvml) {
    return check.run(context(mode, nvml, paths(root)));
  }

  private static FakeInventory withPascal() {
    return FakeInventory.builder()
        .gpu(FakeGpu.of(FakeGpuModel.TESLA_V100_SXM2_16GB, "mixed", 0))
        .gpu(DoctorFixtures.teslaP100(1))
        .build();
  }

  // nvml

  @Test
  void nvmlPassesNamingDriverCudaAndCards() {
    CheckResult result =
        run(new NvmlCheck(), null, nvml(root, FakeInventory.fourGpusTwoNumaNvlinkPairs()));
    assertThat(result.status()).isEqualTo(CheckStatus.PASS);
    assertThat(result.detail())
        .contains("driver 550.54.15 (CUDA 12.4)")
        .contains("4 GPUs: 4x NVIDIA A100-SXM4-40GB");
    assertThat(result.fix()).isEmpty();
  }

  @Test
  void aDriverThatIsNotLoadedFailsWithTheModprobeFix() {
    CheckResult result =
        run(new NvmlCheck(), DoctorMode.PGPU, failingInit(root, NvmlReturn.DRIVER_NOT_LOADED));
    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.detail()).contains("nvmlInit").contains("DRIVER_NOT_LOADED");
    assertThat(result.fix()).contains("sudo modprobe nvidia").contains("dmesg");
  }

  @Test
  void aLibraryVersionMismatchFailsWithTheRebootFix() {
    CheckResult result = run(
        new NvmlCheck(), DoctorMode.PGPU, failingInit(root, NvmlReturn.LIB_RM_VERSION_MISMATCH));
    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.fix()).contains("reboot");
  }

  @Test
  void aMissingLibraryFailsNamingWhereItLooked() throws Exception {
    Path empty = Files.createDirectories(root.resolve("no-driver-here"));
    NvmlProbe probe = NvmlProbe.of(NvmlLibraryPath.only(empty), root.resolve("sys"));
    CheckResult result = run(new NvmlCheck(), null, probe);
    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.detail()).contains("could not be loaded").contains(empty.toString());
    assertThat(result.fix()).contains("--driver-root").contains("--nvml-library-dir");
  }

  @Test
  void aFailureReadingTheGpusAfterInitFails() {
    FakeInventory broken = FakeInventory.fourGpusTwoNumaNvlinkPairs().toBuilder()
        .failure(new FakeInventory.Failure("nvmlDeviceGetMemoryInfo", 2, NvmlReturn.GPU_IS_LOST, 0))
        .build();
    CheckResult result = run(new NvmlCheck(), null, nvml(root, broken));
    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.detail()).contains("reading the GPUs failed").contains("GPU_IS_LOST");
    assertThat(result.fix()).contains("nvidia-smi -r");
  }

  @Test
  void nvmlWithoutGpusWarns() {
    CheckResult result =
        run(new NvmlCheck(), null, nvml(root, FakeInventory.builder().build()));
    assertThat(result.status()).isEqualTo(CheckStatus.WARN);
    assertThat(result.detail()).contains("no GPUs");
    assertThat(result.fix()).contains("nvidia-smi -L");
  }

  // cuda-version

  @Test
  void aRecentDriverPassesTheCudaCheck() {
    CheckResult result = run(
        new CudaVersionCheck(),
        DoctorMode.MPS,
        nvml(root, FakeInventory.fourGpusTwoNumaNvlinkPairs()));
    assertThat(result.status()).isEqualTo(CheckStatus.PASS);
    assertThat(result.detail()).contains("CUDA 12.4").contains("11.5");
  }

  @Test
  void aDriverBelowCuda115FailsForMpsAndNamesTheLabelAlternative() {
    FakeInventory old = FakeInventory.fourGpusTwoNumaNvlinkPairs().toBuilder()
        .driverVersion("470.256.02")
        .cudaDriverVersion(11040)
        .build();
    CheckResult result = run(new CudaVersionCheck(), DoctorMode.MPS, nvml(root, old));
    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.detail()).contains("470.256.02").contains("CUDA 11.4");
    assertThat(result.fix())
        .contains("R495")
        .contains("kubectl label node gpu-node-1 nvidia-device-enable=pgpu --overwrite");
  }

  @Test
  void aDriverBelowCuda115OnlyWarnsForOtherModes() {
    FakeInventory old = FakeInventory.fourGpusTwoNumaNvlinkPairs().toBuilder()
        .cudaDriverVersion(11040)
        .build();
    CheckResult result = run(new CudaVersionCheck(), DoctorMode.VGPU, nvml(root, old));
    assertThat(result.status()).isEqualTo(CheckStatus.WARN);
    assertThat(result.detail()).contains("MPS agent would refuse");
    assertThat(result.fix()).contains("nvidia-device-enable=mps");
  }

  @Test
  void theCudaCheckSkipsWhenNvmlDidNotLoad() {
    CheckResult result = run(
        new CudaVersionCheck(), DoctorMode.MPS, failingInit(root, NvmlReturn.DRIVER_NOT_LOADED));
    assertThat(result.status()).isEqualTo(CheckStatus.SKIP);
    assertThat(result.detail()).contains("see the nvml check");
  }

  // compute-capability

  @Test
  void voltaAndNewerPassForMps() {
    CheckResult result =
        run(new ComputeCapabilityCheck(), DoctorMode.MPS, nvml(root, FakeInventory.dgx1CubeMesh()));
    assertThat(result.status()).isEqualTo(CheckStatus.PASS);
    assertThat(result.detail()).contains("all 8 GPUs").contains("7.0");
  }

  @Test
  void aPascalCardFailsForMpsNamingTheCard() {
    CheckResult result =
        run(new ComputeCapabilityCheck(), DoctorMode.MPS, nvml(root, withPascal()));
    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.detail())
        .contains("GPU 1 (Tesla P100-PCIE-16GB) is 6.0")
        .doesNotContain("GPU 0");
    assertThat(result.fix()).contains("nvidia-device-enable=pgpu");
  }

  @Test
  void aPascalCardOnlyWarnsForOtherModes() {
    CheckResult result =
        run(new ComputeCapabilityCheck(), DoctorMode.VGPU, nvml(root, withPascal()));
    assertThat(result.status()).isEqualTo(CheckStatus.WARN);
    assertThat(result.detail()).contains("GPU 1 (Tesla P100-PCIE-16GB)");
  }

  @Test
  void theCapabilityCheckSkipsWithoutNvml() {
    CheckResult result = run(
        new ComputeCapabilityCheck(),
        DoctorMode.MPS,
        failingInit(root, NvmlReturn.DRIVER_NOT_LOADED));
    assertThat(result.status()).isEqualTo(CheckStatus.SKIP);
  }

  // mig

  @Test
  void cardsWithMigOffPass() {
    CheckResult result = run(
        new MigModeCheck(),
        DoctorMode.VGPU,
        nvml(root, FakeInventory.fourGpusTwoNumaNvlinkPairs()));
    assertThat(result.status()).isEqualTo(CheckStatus.PASS);
    assertThat(result.detail()).contains("no GPU in MIG mode").contains("4 MIG-capable, MIG off");
  }

  @Test
  void migCardsFailForVgpuWithTheCommandsToTurnMigOff() {
    CheckResult result =
        run(new MigModeCheck(), DoctorMode.VGPU, nvml(root, FakeInventory.a100MigMixed()));
    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.detail())
        .contains("the vgpu agent refuses GPUs in MIG mode")
        .contains("GPU 0 (NVIDIA A100-SXM4-40GB) in MIG mode with 3g.20gb, 2x 1g.5gb")
        .contains("GPU 1 (NVIDIA A100-SXM4-40GB) in MIG mode with 7x 1g.5gb");
    assertThat(result.fix())
        .contains("sudo nvidia-smi -i 0 -mig 0 && sudo nvidia-smi -i 0 -r")
        .contains("sudo nvidia-smi -i 1 -mig 0 && sudo nvidia-smi -i 1 -r");
  }

  @Test
  void migCardsFailForMpsToo() {
    CheckResult result =
        run(new MigModeCheck(), DoctorMode.MPS, nvml(root, FakeInventory.a100MigSingle()));
    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.detail()).contains("the mps agent refuses GPUs in MIG mode");
  }

  @Test
  void migCardsWarnForPgpuWithTheMixedStrategyOnAMixedNode() throws Exception {
    DoctorFixtures.write(
        paths(root).procRoot().resolve("driver/nvidia-caps/mig-minors"), "gpu0/gi1/access 3\n");
    CheckResult result =
        run(new MigModeCheck(), DoctorMode.PGPU, nvml(root, FakeInventory.a100MigMixed()));
    assertThat(result.status()).isEqualTo(CheckStatus.WARN);
    assertThat(result.detail()).contains("default --mig-strategy none does not offer them");
    assertThat(result.fix())
        .contains("--mig-strategy mixed (nvidia.com/mig-3g.20gb, nvidia.com/mig-1g.5gb)")
        .doesNotContain("--proc-root");
  }

  @Test
  void migCardsWithOneProfileAllowTheSingleStrategy() {
    CheckResult result =
        run(new MigModeCheck(), DoctorMode.PGPU, nvml(root, FakeInventory.a100MigSingle()));
    assertThat(result.status()).isEqualTo(CheckStatus.WARN);
    assertThat(result.fix()).contains("--mig-strategy single").contains("--proc-root");
    assertThat(result.detail()).contains("mig-minors is missing");
  }

  @Test
  void withoutAModeMigCardsWarnWithEveryModesFix() {
    CheckResult result = run(new MigModeCheck(), null, nvml(root, FakeInventory.a100MigMixed()));
    assertThat(result.status()).isEqualTo(CheckStatus.WARN);
    assertThat(result.detail()).contains("the vgpu and mps agents refuse them");
    assertThat(result.fix())
        .contains("for pgpu: run the pgpu agent with --mig-strategy mixed")
        .contains("for vgpu or mps, disable MIG: `sudo nvidia-smi -i 0 -mig 0");
  }

  @Test
  void theMigCheckSkipsWithoutNvml() {
    CheckResult result =
        run(new MigModeCheck(), DoctorMode.VGPU, failingInit(root, NvmlReturn.DRIVER_NOT_LOADED));
    assertThat(result.status()).isEqualTo(CheckStatus.SKIP);
  }
}
