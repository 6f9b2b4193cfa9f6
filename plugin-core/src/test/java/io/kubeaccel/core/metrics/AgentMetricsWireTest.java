package io.kubeaccel.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.StatusRuntimeException;
import io.kubeaccel.core.AgentRuntime;
import io.kubeaccel.core.AgentSettings;
import io.kubeaccel.core.health.HealthPolicy;
import io.kubeaccel.core.server.HostSettings;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.testkit.Await;
import io.kubeaccel.testkit.KubeletStandIn;
import io.kubeaccel.testkit.PodRef;
import io.kubeaccel.testkit.PodResourcesStandIn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The metrics of a running agent: the real runtime serving a kubelet stand-in over unix sockets, its Allocate calls
 * counted through the observer, its holders read from a PodResources stand-in, an XID from the fake NVML.
 */
class AgentMetricsWireTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String RESOURCE = WholeCardPlugin.RESOURCE;

  private MetricsNode node;
  private KubeletStandIn kubelet;
  private PodResourcesStandIn podResources;
  private AgentRuntime agent;

  @AfterEach
  void close() throws Exception {
    if (agent != null) {
      agent.close();
    }
    if (podResources != null) {
      podResources.close();
    }
    if (kubelet != null) {
      kubelet.close();
    }
    if (node != null) {
      node.close();
    }
  }

  private void startAgent() throws Exception {
    node = new MetricsNode(FakeInventory.fourGpusTwoNumaNvlinkPairs());
    Path deviceDir = Files.createDirectories(node.root.resolve("dp"));
    kubelet = KubeletStandIn.start(deviceDir);
    podResources = PodResourcesStandIn.start(node.root.resolve("pr/kubelet.sock"), kubelet);
    node.start(new MetricsSources(
        ContainerResolver.podUidOnly(),
        CardHolders.fromPodResources(podResources.socket(), Duration.ofSeconds(5))));
    AgentSettings settings = new AgentSettings(
        node.nvml.libraryPath(),
        node.nvml.sysfsRoot(),
        new HostSettings(
            deviceDir, Duration.ofSeconds(5), Duration.ofSeconds(1), 5, Duration.ofHours(1)),
        HealthPolicy.defaults(),
        true,
        Duration.ofMillis(100));
    agent = AgentRuntime.start(
        settings,
        inventory -> List.of(new WholeCardPlugin()),
        node.metrics.allocationObserver(),
        Clock.systemUTC());
    node.metrics.watch(agent.inventory(), agent.xids());
    kubelet.awaitRegistration(RESOURCE, WAIT);
  }

  @Test
  void allocateCallsAreCountedAndTimedPerResource() throws Exception {
    startAgent();
    kubelet.admit(new PodRef("uid-a", "ml", "trainer"), "main", RESOURCE, 2);
    assertThatThrownBy(() -> kubelet.allocate(RESOURCE, List.of(List.of("GPU-no-such-card"))))
        .isInstanceOf(StatusRuntimeException.class);

    Exposition scraped = node.scrape();

    assertThat(scraped.value("kubeaccel_allocations_total", "resource", RESOURCE))
        .contains(1.0);
    assertThat(scraped.value("kubeaccel_allocation_rejections_total", "resource", RESOURCE))
        .contains(1.0);
    assertThat(scraped.value("kubeaccel_allocate_duration_seconds_count", "resource", RESOURCE))
        .contains(1.0);
    assertThat(scraped.value(
            "kubeaccel_allocate_duration_seconds_bucket", "resource", RESOURCE, "le", "1.0"))
        .contains(1.0);
  }

  @Test
  void cardsHeldByContainersShowAsAllocated() throws Exception {
    startAgent();
    kubelet.admit(new PodRef("uid-a", "ml", "trainer"), "main", RESOURCE, 1);
    node.sample();

    Exposition scraped = node.scrape();

    List<Exposition.Sample> held = scraped.all("kubeaccel_container_gpu_allocated");
    assertThat(held)
        .singleElement()
        .satisfies(sample -> assertThat(sample.labels())
            .containsEntry("namespace", "ml")
            .containsEntry("pod", "trainer")
            .containsEntry("container", "main"));
    String card = held.get(0).labels().get("uuid");
    assertThat(scraped.value("kubeaccel_gpu_allocated", "uuid", card)).contains(1.0);
    assertThat(scraped.all("kubeaccel_gpu_allocated"))
        .hasSize(4)
        .filteredOn(sample -> sample.value() == 0.0)
        .hasSize(3);
  }

  @Test
  void anXidSeenByTheKubeletIsCountedAndTheCardShownUnhealthy() throws Exception {
    startAgent();
    String uuid = node.uuid(2);

    node.nvml.injectXid(uuid, 79);
    kubelet
        .registration(RESOURCE)
        .orElseThrow()
        .awaitDevices(
            devices -> devices.stream()
                .anyMatch(d -> d.getID().equals(uuid) && d.getHealth().equals("Unhealthy")),
            WAIT);
    Exposition scraped = node.scrape();

    assertThat(scraped.value("kubeaccel_gpu_xid_errors_total", "uuid", uuid, "xid", "79"))
        .contains(1.0);
    assertThat(scraped.value("kubeaccel_gpu_healthy", "uuid", uuid)).contains(0.0);
    assertThat(scraped.all("kubeaccel_gpu_healthy"))
        .filteredOn(s -> s.value() == 1.0)
        .hasSize(3);

    // The card is Unhealthy already: more XIDs change no health, and are counted all the same;
    // an ignored one (13, an application's fault) is counted apart.
    node.nvml.injectXid(uuid, 79);
    node.nvml.injectXid(uuid, 48);
    node.nvml.injectXid(uuid, 13);
    Await.until(
        "three more critical XIDs and an ignored one tallied",
        WAIT,
        () -> agent.xids().counts().stream().mapToLong(c -> c.events()).sum() >= 3
            && !agent.xids().ignoredCounts().isEmpty());
    Exposition again = node.scrape();
    assertThat(again.value("kubeaccel_gpu_xid_errors_total", "uuid", uuid, "xid", "79"))
        .contains(2.0);
    assertThat(again.value("kubeaccel_gpu_xid_errors_total", "uuid", uuid, "xid", "48"))
        .contains(1.0);
    assertThat(again.value("kubeaccel_gpu_xid_errors_total", "uuid", uuid, "xid", "13"))
        .isEmpty();
    assertThat(again.value("kubeaccel_gpu_xid_ignored_total", "uuid", uuid, "xid", "13"))
        .as("counted apart")
        .contains(1.0);
  }
}
