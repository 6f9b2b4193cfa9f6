package io.kubeaccel.nvml.fake;

/** The simulated nodes {@link FakeInventory} ships; values modelled on the real machines. */
final class Presets {

  static FakeInventory fourGpusTwoNumaNvlinkPairs() {
    String[] busIds = {
      "00000000:07:00.0", "00000000:0F:00.0", "00000000:47:00.0", "00000000:4E:00.0"
    };
    FakeInventory.Builder builder = FakeInventory.builder();
    for (int i = 0; i < 4; i++) {
      builder.gpu(FakeGpu.of(FakeGpuModel.A100_SXM4_40GB, "four-gpus", i)
          .withPciBusId(busIds[i])
          .withNumaNode(i / 2)
          .withPcieSwitch("sw" + i / 2));
    }
    return builder.nvlinks(0, 1, 2).nvlinks(2, 3, 2).build();
  }

  static FakeInventory dgx1CubeMesh() {
    String[] busIds = {
      "00000000:06:00.0", "00000000:07:00.0", "00000000:0A:00.0", "00000000:0B:00.0",
      "00000000:85:00.0", "00000000:86:00.0", "00000000:89:00.0", "00000000:8A:00.0"
    };
    FakeInventory.Builder builder =
        FakeInventory.builder().driverVersion("535.161.08").cudaDriverVersion(12020);
    for (int i = 0; i < 8; i++) {
      builder.gpu(FakeGpu.of(FakeGpuModel.TESLA_V100_SXM2_16GB, "dgx1", i)
          .withPciBusId(busIds[i])
          .withNumaNode(i / 4)
          .withPcieSwitch("sw" + i / 2));
    }
    // The DGX-1V hybrid cube-mesh as nvidia-smi topo -m prints it: NV1/NV2 per pair, six links per
    // GPU.
    int[][] links = {
      {0, 1, 1}, {0, 2, 1}, {0, 3, 2}, {0, 4, 2}, {1, 2, 2}, {1, 3, 1}, {1, 5, 2}, {2, 3, 2},
      {2, 6, 1}, {3, 7, 1}, {4, 5, 1}, {4, 6, 1}, {4, 7, 2}, {5, 6, 2}, {5, 7, 1}, {6, 7, 2}
    };
    for (int[] link : links) {
      builder.nvlinks(link[0], link[1], link[2]);
    }
    return builder.build();
  }

  static FakeInventory hgxH100NvSwitch() {
    String[] busIds = {
      "00000000:18:00.0", "00000000:2A:00.0", "00000000:3A:00.0", "00000000:5D:00.0",
      "00000000:9A:00.0", "00000000:AB:00.0", "00000000:BA:00.0", "00000000:DB:00.0"
    };
    FakeInventory.Builder builder = FakeInventory.builder();
    for (int i = 0; i < 8; i++) {
      builder.gpu(FakeGpu.of(FakeGpuModel.H100_80GB_HBM3, "hgx-h100", i)
          .withPciBusId(busIds[i])
          .withNumaNode(i / 4)
          .withPcieSwitch("sw" + i / 2)
          .withNvswitchLinks(FakeInventory.MAX_NVLINKS));
    }
    return builder.build();
  }

  static FakeInventory pcieOnlyTwoSocket(int count) {
    if (count < 0 || count > 64) {
      throw new IllegalArgumentException("count must be 0..64: " + count);
    }
    int firstSocket = (count + 1) / 2;
    FakeInventory.Builder builder = FakeInventory.builder();
    for (int i = 0; i < count; i++) {
      int socket = i < firstSocket ? 0 : 1;
      int slot = i - socket * firstSocket;
      // Pairs of GPUs behind one PCIe switch, never a switch spanning both sockets.
      builder.gpu(FakeGpu.of(FakeGpuModel.A10, "pcie-" + count, i)
          .withPciBusId(String.format("00000000:%02X:00.0", 0x10 + 0x80 * socket + 2 * slot))
          .withNumaNode(socket)
          .withPcieSwitch("sw" + socket + "-" + slot / 2));
    }
    return builder.build();
  }

  static FakeInventory a100MigMixed() {
    return twoA100sInMig(
        "a100-mig-mixed",
        new String[] {"3g.20gb", "1g.5gb", "1g.5gb"},
        new String[] {"1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb"});
  }

  static FakeInventory a100MigSingle() {
    String[] seven = {"1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb"};
    return twoA100sInMig("a100-mig-single", seven, seven);
  }

  /** Two NVSwitch-connected A100s (12 links each, as in a DGX A100) in MIG mode with these profiles. */
  private static FakeInventory twoA100sInMig(String seed, String[]... profiles) {
    String[] busIds = {"00000000:07:00.0", "00000000:0F:00.0"};
    FakeInventory.Builder builder = FakeInventory.builder();
    for (int i = 0; i < 2; i++) {
      builder.gpu(FakeGpu.of(FakeGpuModel.A100_SXM4_40GB, seed, i)
          .withPciBusId(busIds[i])
          .withPcieSwitch("sw0")
          .withNvswitchLinks(12)
          .withMigProfiles(profiles[i]));
    }
    return builder.build();
  }

  private Presets() {}
}
