package io.kubeaccel.mps;

import static io.kubeaccel.mps.MpsNode.CORE;
import static io.kubeaccel.mps.MpsNode.MEMORY;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.core.kube.InMemoryNodeApi.Event;
import io.kubeaccel.nvml.ComputeCapability;
import io.kubeaccel.nvml.ComputeMode;
import io.kubeaccel.nvml.fake.FakeGpu;
import io.kubeaccel.nvml.fake.FakeGpuModel;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.proto.deviceplugin.v1beta1.Device;
import io.kubeaccel.testkit.FakeMpsControl;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Cards MPS cannot serve are not advertised, placed or published, and the Node's Events say why. */
class MpsRefusalTest {

  /** A Pascal card: compute capability 6.0, no MPS resource provisioning. */
  private static final FakeGpu P100 = new FakeGpu(
      FakeGpu.deterministicUuid("mps-refusals", 1),
      "Tesla P100-PCIE-16GB",
      1,
      "00000000:11:00.0",
      0x15F810DE,
      0x118F10DE,
      16280,
      0,
      0,
      null,
      null,
      new ComputeCapability(6, 0),
      FakeGpu.Mig.NOT_SUPPORTED,
      0);

  private MpsNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  /** GPU 0 V100 and GPU 3 T4 qualify; GPU 1 is a P100, GPU 2 an A100 in MIG mode. */
  private static FakeInventory mixedNode() {
    return FakeInventory.builder()
        .gpu(FakeGpu.of(FakeGpuModel.TESLA_V100_SXM2_16GB, "mps-refusals", 0))
        .gpu(P100)
        .gpu(FakeGpu.of(FakeGpuModel.A100_SXM4_40GB, "mps-refusals", 2)
            .withMigProfiles("3g.20gb", "1g.5gb"))
        .gpu(FakeGpu.of(FakeGpuModel.TESLA_T4, "mps-refusals", 3))
        .build();
  }

  @Test
  void oldCardsAndMigCardsAreNeitherAdvertisedNorPlacedNorPublished() throws Exception {
    node = new MpsNode(mixedNode()).startAgent();
    List<FakeGpu> gpus = node.nvml.inventory().gpus();

    List<Device> cores = node.kubelet.awaitRegistration(CORE, MpsNode.WAIT).devices();
    assertThat(cores).hasSize(200);
    assertThat(cores)
        .extracting(d -> d.getID().substring(0, gpus.get(0).uuid().length()))
        .containsOnly(gpus.get(0).uuid(), gpus.get(3).uuid());
    // V100-16GB: 16160 MiB = 15 whole GiB; T4: 15360 MiB = 15 GiB.
    assertThat(node.kubelet.awaitRegistration(MEMORY, MpsNode.WAIT).devices()).hasSize(30);

    String capacity = node.api.nodeAnnotations().get("kubeaccel.io/gpus");
    assertThat(capacity).contains(gpus.get(0).uuid(), gpus.get(3).uuid());
    assertThat(capacity)
        .doesNotContain(gpus.get(1).uuid())
        .doesNotContain(gpus.get(2).uuid());

    // The extender cannot send a share to a refused card: the agent places it on one that serves.
    MpsNode.Admitted admitted = node.admit(
        node.pod("aimed-at-p100", MpsNode.assigned(1, 1), new int[] {10, 2}), 0, 10, 2, false);
    assertThat(admitted.envs().get("NVIDIA_VISIBLE_DEVICES"))
        .isIn(gpus.get(0).uuid(), gpus.get(3).uuid());

    Map<String, ComputeMode> modes = node.nvml.computeModes();
    assertThat(modes.get(gpus.get(0).uuid())).isEqualTo(ComputeMode.EXCLUSIVE_PROCESS);
    assertThat(modes.get(gpus.get(3).uuid())).isEqualTo(ComputeMode.EXCLUSIVE_PROCESS);
    assertThat(modes.get(gpus.get(1).uuid())).isEqualTo(ComputeMode.DEFAULT);
    assertThat(modes.get(gpus.get(2).uuid())).isEqualTo(ComputeMode.DEFAULT);
  }

  @Test
  void eachRefusedCardIsReportedOnceWithWhatItLacks() throws Exception {
    node = new MpsNode(mixedNode()).startAgent();

    node.mode.create(node.agent.inventory().current()); // as when NVML starts late: no new reports

    assertThat(node.api.events())
        .filteredOn(e -> e.reason().equals("MpsGpuRefused"))
        .extracting(Event::type, Event::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "Warning",
                "GPU 1 (Tesla P100-PCIE-16GB) is compute capability 6.0; MPS needs 7.0 (Volta) or"
                    + " newer"),
            org.assertj.core.groups.Tuple.tuple(
                "Warning",
                "GPU 2 (NVIDIA A100-SXM4-40GB) is in MIG mode; MPS needs MIG disabled (nvidia-smi"
                    + " -i 2 -mig 0), or serve its MIG devices with the pgpu mode"));
    assertThat(node.api.events()).extracting(Event::reason).doesNotContain("MpsNoUsableGpu");
  }

  @Test
  void aDriverOlderThanCuda115ServesNothingAndSaysWhy() throws Exception {
    FakeInventory oldDriver = FakeInventory.fourGpusTwoNumaNvlinkPairs().toBuilder()
        .driverVersion("470.57.02")
        .cudaDriverVersion(11040)
        .build();
    node = new MpsNode(oldDriver).startAgent();

    assertThat(node.kubelet.awaitRegistration(CORE, MpsNode.WAIT).devices()).isEmpty();
    assertThat(node.kubelet.awaitRegistration(MEMORY, MpsNode.WAIT).devices()).isEmpty();
    assertThat(node.api.events())
        .filteredOn(e -> e.reason().equals("MpsGpuRefused"))
        .hasSize(4)
        .first()
        .extracting(Event::message)
        .isEqualTo("GPU 0 (NVIDIA A100-SXM4-40GB): driver 470.57.02 supports CUDA 11.4; MPS needs"
            + " a driver with CUDA 11.5 or newer");
    assertThat(node.api.events())
        .filteredOn(e -> e.reason().equals("MpsNoUsableGpu"))
        .singleElement()
        .extracting(Event::message)
        .asString()
        .startsWith("No GPU on this node can serve MPS, so it offers no nvidia.com/mps-core or"
            + " nvidia.com/mps-memory: GPU 0 (NVIDIA A100-SXM4-40GB): driver 470.57.02");
    assertThat(FakeMpsControl.daemonPid(node.pipe()))
        .as("no daemon without cards")
        .isEmpty();
    assertThat(node.nvml.computeModes().values()).containsOnly(ComputeMode.DEFAULT);
  }
}
