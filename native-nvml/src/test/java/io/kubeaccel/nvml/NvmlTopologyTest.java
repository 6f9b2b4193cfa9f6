package io.kubeaccel.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.nvml.fake.FakeGpu;
import io.kubeaccel.nvml.fake.FakeGpuModel;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PCIe common ancestors and NVLink, as the pGPU allocator reads them. */
class NvmlTopologyTest {
  private static final String NVSWITCH_BUS_ID = "00000000:C1:00.0";

  @TempDir
  Path dir;

  @Test
  void derivesTopologyFromBoardThenSwitchThenNumaNode() {
    FakeInventory inventory = FakeInventory.builder()
        .gpu(FakeGpu.of(FakeGpuModel.TESLA_T4, "topo", 0).withBoard("card0").withPcieSwitch("sw0"))
        .gpu(FakeGpu.of(FakeGpuModel.TESLA_T4, "topo", 1).withBoard("card0").withPcieSwitch("sw0"))
        .gpu(FakeGpu.of(FakeGpuModel.TESLA_T4, "topo", 2).withPcieSwitch("sw0"))
        .gpu(FakeGpu.of(FakeGpuModel.TESLA_T4, "topo", 3))
        .gpu(FakeGpu.of(FakeGpuModel.TESLA_T4, "topo", 4).withNumaNode(1))
        .build();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      NvmlDevice gpu0 = nvml.device(0);
      assertThat(gpu0.topologyCommonAncestor(nvml.device(1))).isEqualTo(TopologyLevel.INTERNAL);
      assertThat(gpu0.topologyCommonAncestor(nvml.device(2))).isEqualTo(TopologyLevel.SINGLE);
      assertThat(gpu0.topologyCommonAncestor(nvml.device(3))).isEqualTo(TopologyLevel.NODE);
      assertThat(gpu0.topologyCommonAncestor(nvml.device(4))).isEqualTo(TopologyLevel.SYSTEM);
      assertThat(nvml.device(4).topologyCommonAncestor(gpu0)).isEqualTo(TopologyLevel.SYSTEM);
    }
  }

  @Test
  void usesAnExplicitTopologyMatrixInsteadOfDerivingOne() {
    FakeInventory inventory = FakeInventory.pcieOnlyTwoSocket(3).toBuilder()
        .topologyMatrix(List.of(List.of(0, 20, 30), List.of(20, 0, 50), List.of(30, 50, 0)))
        .build();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      assertThat(nvml.device(0).topologyCommonAncestor(nvml.device(1)))
          .isEqualTo(TopologyLevel.MULTIPLE);
      assertThat(nvml.device(0).topologyCommonAncestor(nvml.device(2)))
          .isEqualTo(TopologyLevel.HOSTBRIDGE);
      assertThat(nvml.device(2).topologyCommonAncestor(nvml.device(1)))
          .isEqualTo(TopologyLevel.SYSTEM);
    }
  }

  @Test
  void presetsPlaceGpusOnNumaNodesAndSwitchesAsDocumented() {
    FakeNode node = FakeNode.create(dir, FakeInventory.fourGpusTwoNumaNvlinkPairs());
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      assertThat(nvml.device(0).topologyCommonAncestor(nvml.device(1)))
          .isEqualTo(TopologyLevel.SINGLE);
      assertThat(nvml.device(1).topologyCommonAncestor(nvml.device(2)))
          .isEqualTo(TopologyLevel.SYSTEM);
      assertThat(nvml.device(2).topologyCommonAncestor(nvml.device(3)))
          .isEqualTo(TopologyLevel.SINGLE);
    }
  }

  @Test
  void numbersPeerLinksByPeerIndexAndReportsThePeersPciInfo() {
    FakeInventory inventory = FakeInventory.dgx1CubeMesh();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      for (int i = 0; i < 8; i++) {
        NvmlDevice device = nvml.device(i);
        List<String> expectedPeers = new ArrayList<>();
        for (int peer = 0; peer < 8; peer++) {
          for (int k = 0; k < inventory.nvlinks(i, peer); k++) {
            expectedPeers.add(nvml.device(peer).pciInfo().busId());
          }
        }
        assertThat(expectedPeers).hasSize(6);
        for (int link = 0; link < 6; link++) {
          assertThat(device.nvLinkActive(link)).isTrue();
          assertThat(device.nvLinkRemoteDeviceType(link)).isEqualTo(NvLinkDeviceType.GPU);
          assertThat(device.nvLinkRemotePciInfo(link).busId()).isEqualTo(expectedPeers.get(link));
        }
        assertNotSupported(() -> device.nvLinkActive(6));
      }
      // GPU 0: one link each to 1 and 2, two each to 3 and 4.
      assertThat(nvml.device(0).nvLinkRemotePciInfo(2)).isEqualTo(nvml.device(3).pciInfo());
      assertThat(nvml.device(0).nvLinkRemotePciInfo(5)).isEqualTo(nvml.device(4).pciInfo());
    }
  }

  @Test
  void nvSwitchLinksEndAtTheSwitch() {
    FakeNode node = FakeNode.create(dir, FakeInventory.hgxH100NvSwitch());
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      NvmlDevice device = nvml.device(7);
      for (int link = 0; link < 18; link++) {
        assertThat(device.nvLinkActive(link)).isTrue();
        assertThat(device.nvLinkRemoteDeviceType(link)).isEqualTo(NvLinkDeviceType.SWITCH);
        assertThat(device.nvLinkRemotePciInfo(link).busId()).isEqualTo(NVSWITCH_BUS_ID);
      }
    }
  }

  @Test
  void peerLinksComeBeforeSwitchLinks() {
    FakeInventory inventory = FakeInventory.builder()
        .gpu(FakeGpu.of(FakeGpuModel.A100_SXM4_80GB, "mixed", 0).withNvswitchLinks(2))
        .gpu(FakeGpu.of(FakeGpuModel.A100_SXM4_80GB, "mixed", 1))
        .nvlinks(0, 1, 3)
        .build();
    FakeNode node = FakeNode.create(dir, inventory);
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      NvmlDevice device = nvml.device(0);
      assertThat(List.of(0, 1, 2, 3, 4).stream().map(device::nvLinkRemoteDeviceType))
          .containsExactly(
              NvLinkDeviceType.GPU,
              NvLinkDeviceType.GPU,
              NvLinkDeviceType.GPU,
              NvLinkDeviceType.SWITCH,
              NvLinkDeviceType.SWITCH);
      assertNotSupported(() -> device.nvLinkRemoteDeviceType(5));
      assertNotSupported(() -> nvml.device(1).nvLinkRemotePciInfo(3));
    }
  }

  @Test
  void gpusWithoutNvlinkAnswerNotSupportedAndLinksPast17AreInvalid() {
    FakeNode node = FakeNode.create(dir, FakeInventory.pcieOnlyTwoSocket(2));
    try (Nvml nvml = Nvml.open(node.libraryPath())) {
      NvmlDevice device = nvml.device(0);
      for (int link = 0; link < 18; link++) {
        int l = link;
        assertNotSupported(() -> device.nvLinkActive(l));
      }
      for (int link : new int[] {18, 35, -1}) {
        assertThatThrownBy(() -> device.nvLinkActive(link))
            .isInstanceOfSatisfying(NvmlException.class, e -> {
              assertThat(e.code()).isEqualTo(NvmlReturn.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains("Invalid Argument");
            });
      }
    }
  }

  private static void assertNotSupported(ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            NvmlException.class, e -> assertThat(e.code()).isEqualTo(NvmlReturn.NOT_SUPPORTED));
  }
}
