package io.kubeaccel.pgpu;

import static io.kubeaccel.pgpu.Cards.gpu;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.core.inventory.DriverInfo;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.Topology;
import io.kubeaccel.core.spi.PreferenceRequest;
import io.kubeaccel.core.spi.PreferredAllocator;
import io.kubeaccel.nvml.CudaVersion;
import io.kubeaccel.nvml.TopologyLevel;
import io.kubeaccel.pgpu.config.PgpuConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whole-card GetPreferredAllocation answers through the core's exact optimiser. */
class PreferredCardsTest {

  /** Cards 0-1 and 2-3 are NVLink pairs on one PCIe switch each; the pairs sit on different CPUs. */
  private static final Inventory PAIRS;

  static {
    TopologyLevel s = TopologyLevel.SINGLE;
    TopologyLevel x = TopologyLevel.SYSTEM;
    TopologyLevel[][] pcie = {{s, s, x, x}, {s, s, x, x}, {x, x, s, s}, {x, x, s, s}};
    int[][] nvlinks = {{0, 2, 0, 0}, {2, 0, 0, 0}, {0, 0, 0, 2}, {0, 0, 2, 0}};
    List<Gpu> gpus = List.of(
        gpu(0, 0, 0, Gpu.MigState.DISABLED),
        gpu(1, 1, 0, Gpu.MigState.DISABLED),
        gpu(2, 2, 1, Gpu.MigState.DISABLED),
        gpu(3, 3, 1, Gpu.MigState.DISABLED));
    PAIRS = Inventory.of(
        gpus,
        new Topology(pcie, nvlinks),
        new DriverInfo("550.54.15", new CudaVersion(12, 4)),
        Cards.T0);
  }

  private static List<String> prefer(List<String> available, List<String> mustInclude, int size) {
    PreferredAllocator plugin =
        (PreferredAllocator) Cards.plugin(PgpuConfig.defaults(), PAIRS, "nvidia.com/gpu");
    return plugin.preferredAllocation(new PreferenceRequest(available, mustInclude, size, PAIRS));
  }

  @Test
  void twoCardsAreAnNvlinkPair() {
    assertThat(prefer(List.of("GPU-3", "GPU-1", "GPU-2", "GPU-0"), List.of(), 2))
        .containsExactly("GPU-0", "GPU-1");
    assertThat(prefer(List.of("GPU-0", "GPU-2", "GPU-3"), List.of(), 2))
        .containsExactly("GPU-2", "GPU-3");
  }

  @Test
  void oneCardComesFromABrokenPairSoWholePairsStayFree() {
    assertThat(prefer(List.of("GPU-0", "GPU-2", "GPU-3"), List.of(), 1)).containsExactly("GPU-0");
    assertThat(prefer(List.of("GPU-0", "GPU-1", "GPU-3"), List.of(), 1)).containsExactly("GPU-3");
  }

  @Test
  void mustIncludeIsHonouredAndCompletedWithItsPartner() {
    assertThat(prefer(List.of("GPU-0", "GPU-1", "GPU-2", "GPU-3"), List.of("GPU-3"), 2))
        .containsExactlyInAnyOrder("GPU-2", "GPU-3");
  }
}
