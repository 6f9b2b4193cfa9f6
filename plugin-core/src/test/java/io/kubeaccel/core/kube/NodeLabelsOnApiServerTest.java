package io.kubeaccel.core.kube;

import static io.kubeaccel.core.kube.KubeObjects.NODE;
import static io.kubeaccel.core.kube.KubeObjects.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubeaccel.core.inventory.DriverInfo;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.Topology;
import io.kubeaccel.core.kube.KubeAccess.PodScoping;
import io.kubeaccel.core.node.NodeLabels;
import io.kubeaccel.core.sharing.CapacityPublisher;
import io.kubeaccel.nvml.ComputeCapability;
import io.kubeaccel.nvml.CudaVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The node labels of an agent written to an API server, with the capacity annotation beside them. */
class NodeLabelsOnApiServerTest {

  private MockApiServer server;
  private KubernetesClient client;
  private KubeAccess access;

  @BeforeEach
  void start() {
    server = new MockApiServer();
    client = server.newClient();
    client
        .nodes()
        .resource(
            KubeObjects.node(NODE, Map.of("team", "ml", "nvidia-device-enable", "vgpu"), Map.of()))
        .create();
    access =
        KubeAccess.using(client, KubeObjects.settings(Duration.ZERO), PodScoping.CLIENT_SIDE_ONLY);
  }

  @AfterEach
  void stop() {
    server.close(); // first: see MockApiServer#close
    access.close();
    client.close();
  }

  private static Inventory cards(int count) {
    List<Gpu> gpus = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      gpus.add(new Gpu(
          i,
          "GPU-" + i,
          "NVIDIA A100-SXM4-40GB",
          i,
          "0000:0" + i + ":00.0",
          0,
          40L << 30,
          new ComputeCapability(8, 0),
          Gpu.MigState.DISABLED,
          List.of()));
    }
    return Inventory.of(
        gpus,
        Topology.unknown(count),
        new DriverInfo("550.54.15", new CudaVersion(12, 4)),
        Instant.EPOCH);
  }

  private Map<String, String> labels() {
    return client.nodes().withName(NODE).get().getMetadata().getLabels();
  }

  @Test
  void labelsAreAppliedUpdatedAndRemovedAndOtherPartsAndForeignLabelsSurvive() throws Exception {
    NodeMetadataParts parts = new NodeMetadataParts(access.nodeMetadata());
    NodeLabels labels = new NodeLabels("vgpu", parts.part("labels"));
    parts
        .part("capacity")
        .publish(
            Set.of(CapacityPublisher.ANNOTATION),
            Map.of(),
            Map.of(CapacityPublisher.ANNOTATION, "[]"));

    labels.publish(cards(2));
    access.nodeMetadata().published().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(labels())
        .containsEntry("nvidia.com/gpu.product", "NVIDIA-A100-SXM4-40GB")
        .containsEntry("nvidia.com/gpu.count", "2")
        .containsEntry("cuda-major-version", "12")
        .containsEntry("kubeaccel.io/mode", "vgpu")
        .containsEntry("team", "ml");

    labels.publish(Inventory.unavailable("driver gone"));
    access.nodeMetadata().published().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(labels())
        .doesNotContainKeys("nvidia.com/gpu.count", "nvidia.com/gpu.product")
        .containsEntry("kubeaccel.io/mode", "vgpu")
        .containsEntry("nvidia-device-enable", "vgpu");
    assertThat(client.nodes().withName(NODE).get().getMetadata().getAnnotations())
        .containsEntry(CapacityPublisher.ANNOTATION, "[]");
  }

  @Test
  void labelsWaitForAnApiServerThatIsDownAndArriveWhenItIsBack() throws Exception {
    NodeLabels labels = new NodeLabels("pgpu", access.nodeMetadata());
    server.down();
    labels.publish(cards(4));
    assertThat(server.awaitRequests(r -> r.refused(), 2, WAIT)).isTrue();
    server.up();
    access.nodeMetadata().published().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(labels()).containsEntry("nvidia.com/gpu.count", "4");
  }
}
