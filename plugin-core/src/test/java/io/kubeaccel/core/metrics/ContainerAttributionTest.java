package io.kubeaccel.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.nvml.fake.FakeGpu;
import io.kubeaccel.nvml.fake.FakeGpuModel;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeMigDevice;
import io.kubeaccel.nvml.fake.FakeProcess;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Per-container GPU use: NVML's processes, mapped to containers through a fake {@code /proc/<pid>/cgroup} in every
 * cgroup layout, named through the pod cache, and scraped over HTTP.
 */
class ContainerAttributionTest {

  private static final long MIB = 1L << 20;
  private static final String MEMORY = "kubeaccel_container_gpu_memory_used_bytes";
  private static final String UTILIZATION = "kubeaccel_container_gpu_utilization_percent";

  private MetricsNode node;

  @AfterEach
  void close() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  private static FakeInventory twoCards() {
    return FakeInventory.builder()
        .gpu(FakeGpu.of(FakeGpuModel.H100_80GB_HBM3, "attr", 0))
        .gpu(FakeGpu.of(FakeGpuModel.H100_80GB_HBM3, "attr", 1))
        .build();
  }

  private static String uid(int n) {
    return String.format("00000000-0000-4000-8000-%012d", n);
  }

  private static String containerId(int n) {
    return String.format("%064x", n);
  }

  @Test
  void everyCgroupLayoutLeadsToItsNamedContainer() throws Exception {
    node = new MetricsNode(twoCards());
    List<BiFunction<String, String, String>> layouts = List.of(
        CgroupLayouts::v1Cgroupfs,
        CgroupLayouts::v2CgroupfsGuaranteed,
        CgroupLayouts::v2SystemdContainerd,
        CgroupLayouts::v1SystemdDocker,
        CgroupLayouts::v2SystemdCrio,
        CgroupLayouts::v2NamespacedKind);
    StaticNodePods pods = new StaticNodePods();
    for (int i = 0; i < layouts.size(); i++) {
      int pid = 1000 + i;
      pods.pod(uid(i), "team-" + i, "trainer-" + i, "main", containerId(i));
      node.process(pid, layouts.get(i).apply(uid(i), containerId(i)));
      node.nvml.startProcess(node.uuid(i % 2), FakeProcess.of(pid, 100L * (i + 1), 10 + i, 0));
    }
    node.start(new MetricsSources(ContainerResolver.fromPodCache(pods), CardHolders.NONE));
    node.watch();

    Exposition scraped = node.scrape();

    for (int i = 0; i < layouts.size(); i++) {
      String[] labels = {
        "namespace",
        "team-" + i,
        "pod",
        "trainer-" + i,
        "container",
        "main",
        "pod_uid",
        uid(i),
        "uuid",
        node.uuid(i % 2)
      };
      assertThat(scraped.value(MEMORY, labels)).as("layout %d", i).contains(100.0 * (i + 1) * MIB);
      assertThat(scraped.value(UTILIZATION, labels)).as("layout %d", i).contains(10.0 + i);
    }
    assertThat(scraped.all(MEMORY)).hasSize(layouts.size());
  }

  @Test
  void withoutKubernetesAccessContainersAreKnownByTheirPodUidAlone() throws Exception {
    node = new MetricsNode(twoCards());
    node.process(2001, CgroupLayouts.v2SystemdContainerd(uid(1), containerId(1)));
    node.process(2002, CgroupLayouts.v2SystemdContainerd(uid(1), containerId(2)));
    node.nvml.startProcess(node.uuid(0), FakeProcess.of(2001, 300, 20, 0));
    node.nvml.startProcess(node.uuid(0), FakeProcess.of(2002, 200, 15, 0));
    node.started();

    Exposition scraped = node.scrape();

    // Two containers of one pod, unnamed: one series for the pod on the card, their use summed.
    assertThat(scraped.all(MEMORY)).singleElement().satisfies(sample -> {
      assertThat(sample.labels())
          .containsEntry("pod_uid", uid(1))
          .containsEntry("namespace", "")
          .containsEntry("pod", "")
          .containsEntry("container", "")
          .containsEntry("uuid", node.uuid(0));
      assertThat(sample.value()).isEqualTo(500.0 * MIB);
    });
    assertThat(scraped.value(UTILIZATION, "pod_uid", uid(1))).contains(35.0);
  }

  @Test
  void aContainersProcessesAreSummedAndItsUtilisationCappedAt100() throws Exception {
    node = new MetricsNode(twoCards());
    StaticNodePods pods = new StaticNodePods().pod(uid(3), "ml", "big", "worker", containerId(3));
    for (int pid = 3001; pid <= 3003; pid++) {
      node.process(pid, CgroupLayouts.v1Cgroupfs(uid(3), containerId(3)));
      node.nvml.startProcess(node.uuid(1), FakeProcess.of(pid, 1024, 45, 5));
    }
    node.start(new MetricsSources(ContainerResolver.fromPodCache(pods), CardHolders.NONE));
    node.watch();

    Exposition scraped = node.scrape();

    assertThat(scraped.value(MEMORY, "container", "worker", "uuid", node.uuid(1)))
        .contains(3072.0 * MIB);
    assertThat(scraped.value(UTILIZATION, "container", "worker")).contains(100.0);
  }

  @Test
  void hostProcessesAndProcessesWithoutACgroupFileAreLeftOut() throws Exception {
    node = new MetricsNode(twoCards());
    node.process(4001, CgroupLayouts.host());
    node.nvml.startProcess(node.uuid(0), FakeProcess.of(4001, 64, 1, 0));
    node.nvml.startProcess(node.uuid(0), FakeProcess.of(4002, 64, 1, 0)); // no /proc entry
    node.started();

    Exposition scraped = node.scrape();

    assertThat(scraped.all(MEMORY)).isEmpty();
    assertThat(scraped.value("kubeaccel_gpu_compute_processes", "uuid", node.uuid(0)))
        .contains(2.0);
  }

  @Test
  void aPodWhoseStatusDoesNotListTheContainerYetKeepsItsNameAndAnEmptyContainer() throws Exception {
    node = new MetricsNode(twoCards());
    StaticNodePods pods =
        new StaticNodePods().pod(uid(5), "ns", "starting", "other", containerId(9));
    node.process(5001, CgroupLayouts.v2SystemdContainerd(uid(5), containerId(5)));
    node.nvml.startProcess(node.uuid(0), FakeProcess.of(5001, 10, 0, 0));
    node.start(new MetricsSources(ContainerResolver.fromPodCache(pods), CardHolders.NONE));
    node.watch();

    assertThat(node.scrape().value(MEMORY, "namespace", "ns", "pod", "starting", "container", ""))
        .contains(10.0 * MIB);
  }

  @Test
  void aReusedPidIsReadAgainOnceItsProcessLeftTheGpu() throws Exception {
    node = new MetricsNode(twoCards());
    StaticNodePods pods = new StaticNodePods()
        .pod(uid(6), "ns", "first", "c", containerId(6))
        .pod(uid(7), "ns", "second", "c", containerId(7));
    node.process(6000, CgroupLayouts.v2SystemdContainerd(uid(6), containerId(6)));
    node.nvml.startProcess(node.uuid(0), FakeProcess.of(6000, 10, 0, 0));
    node.start(new MetricsSources(ContainerResolver.fromPodCache(pods), CardHolders.NONE));
    node.watch();
    assertThat(node.scrape().value(MEMORY, "pod", "first")).isPresent();

    node.nvml.stopProcess(node.uuid(0), 6000);
    node.sample();
    node.process(6000, CgroupLayouts.v2SystemdContainerd(uid(7), containerId(7)));
    node.nvml.startProcess(node.uuid(0), FakeProcess.of(6000, 20, 0, 0));
    node.sample();

    Exposition scraped = node.scrape();
    assertThat(scraped.value(MEMORY, "pod", "first")).isEmpty();
    assertThat(scraped.value(MEMORY, "pod", "second")).contains(20.0 * MIB);
  }

  @Test
  void processesOnMigDevicesCountForTheirCardWithoutUtilisation() throws Exception {
    FakeInventory mig = FakeInventory.a100MigMixed();
    node = new MetricsNode(mig);
    FakeMigDevice small = mig.gpu(0).migDevices().get(1);
    StaticNodePods pods = new StaticNodePods().pod(uid(8), "ns", "mig-user", "c", containerId(8));
    node.process(7001, CgroupLayouts.v2SystemdContainerd(uid(8), containerId(8)));
    node.nvml.startProcess(small.uuid(), FakeProcess.of(7001, 2048, 50, 0));
    node.start(new MetricsSources(ContainerResolver.fromPodCache(pods), CardHolders.NONE));
    node.watch();

    Exposition scraped = node.scrape();

    assertThat(scraped.value(MEMORY, "pod", "mig-user", "uuid", node.uuid(0)))
        .contains(2048.0 * MIB);
    assertThat(scraped.all(UTILIZATION)).isEmpty();
    assertThat(scraped.all("kubeaccel_gpu_utilization_percent")).isEmpty(); // MIG mode: not sampled
    assertThat(scraped.value("kubeaccel_gpu_temperature_celsius", "uuid", node.uuid(0)))
        .isPresent();
  }
}
