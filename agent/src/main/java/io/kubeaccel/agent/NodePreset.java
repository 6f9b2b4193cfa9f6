package io.kubeaccel.agent;

import io.kubeaccel.nvml.fake.FakeInventory;
import java.util.function.Supplier;

/** The simulated nodes {@code simulate} and {@code bench} can run on. */
enum NodePreset {
  FOUR_GPU(
      "four-gpu",
      "4x A100-SXM4-40GB, 2 NUMA nodes, NVLink pairs 0-1 and 2-3",
      FakeInventory::fourGpusTwoNumaNvlinkPairs),
  DGX1(
      "dgx1",
      "8x V100-SXM2-16GB, DGX-1 hybrid cube-mesh NVLink, 2 NUMA nodes",
      FakeInventory::dgx1CubeMesh),
  HGX_H100(
      "hgx-h100",
      "8x H100 80GB HBM3 on an NVSwitch fabric, 2 NUMA nodes",
      FakeInventory::hgxH100NvSwitch),
  PCIE8("pcie8", "8 GPUs on PCIe only, 2 sockets", () -> FakeInventory.pcieOnlyTwoSocket(8)),
  A100_MIG_MIXED(
      "a100-mig-mixed",
      "2x A100-SXM4-40GB in MIG mode: 3g.20gb + 2x 1g.5gb, and 7x 1g.5gb (try --mig-strategy mixed)",
      FakeInventory::a100MigMixed),
  A100_MIG_SINGLE(
      "a100-mig-single",
      "2x A100-SXM4-40GB in MIG mode, 7x 1g.5gb each (try --mig-strategy single)",
      FakeInventory::a100MigSingle);

  private final String wireName;
  private final String description;
  private final Supplier<FakeInventory> inventory;

  NodePreset(String wireName, String description, Supplier<FakeInventory> inventory) {
    this.wireName = wireName;
    this.description = description;
    this.inventory = inventory;
  }

  FakeInventory inventory() {
    return inventory.get();
  }

  String description() {
    return description;
  }

  @Override
  public String toString() {
    return wireName;
  }

  /** Parses a preset name, listing the valid ones when it is unknown. */
  static NodePreset parse(String name) {
    for (NodePreset preset : values()) {
      if (preset.wireName.equals(name)) {
        return preset;
      }
    }
    StringBuilder valid = new StringBuilder();
    for (NodePreset preset : values()) {
      valid.append(valid.length() == 0 ? "" : ", ").append(preset.wireName);
    }
    throw new IllegalArgumentException("unknown preset \"" + name + "\"; choose one of: " + valid);
  }
}
