package io.kubeaccel.testkit;

import static io.kubeaccel.testkit.TestPlugin.device;
import static io.kubeaccel.testkit.TestPlugin.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kubeaccel.proto.UnixSocketTransport;
import io.kubeaccel.proto.deviceplugin.v1beta1.Device;
import io.kubeaccel.proto.podresources.v1.AllocatableResourcesRequest;
import io.kubeaccel.proto.podresources.v1.ContainerDevices;
import io.kubeaccel.proto.podresources.v1.ContainerResources;
import io.kubeaccel.proto.podresources.v1.GetPodResourcesRequest;
import io.kubeaccel.proto.podresources.v1.ListPodResourcesRequest;
import io.kubeaccel.proto.podresources.v1.NUMANode;
import io.kubeaccel.proto.podresources.v1.PodResources;
import io.kubeaccel.proto.podresources.v1.PodResourcesListerGrpc;
import io.kubeaccel.proto.podresources.v1.PodResourcesListerGrpc.PodResourcesListerBlockingStub;
import io.kubeaccel.proto.podresources.v1.TopologyInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class PodResourcesStandInTest {

  private static final String GPU = "nvidia.com/gpu";
  private static final PodRef TRAINER = new PodRef("uid-a", "team", "trainer");
  private static final PodRef SIDECAR = new PodRef("uid-b", "team", "sidecar");

  @TempDir
  Path dir;

  private KubeletStandIn kubelet;
  private TestPlugin plugin;
  private PodResourcesStandIn podResources;
  private UnixSocketTransport transport;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    kubelet = KubeletStandIn.start(dir.resolve("device-plugins"));
    // G2 reports no topology, as plugins on single-socket machines may.
    Device withoutTopology =
        Device.newBuilder().setID("G2").setHealth("Healthy").build();
    List<Device> devices =
        List.of(device("G0", "Healthy", 0), device("G1", "Healthy", 1), withoutTopology);
    plugin =
        TestPlugin.serve(dir.resolve("device-plugins/gpu.sock"), options(false, false), devices);
    plugin.register(GPU);
    kubelet.awaitRegistration(GPU, Duration.ofSeconds(5));
    podResources = PodResourcesStandIn.start(dir.resolve("pod-resources/kubelet.sock"), kubelet);
    transport = new UnixSocketTransport("pod-resources-client", 1);
    channel = transport.channel(podResources.socket());
  }

  @AfterEach
  void stop() throws Exception {
    TestPlugin.awaitClosed(channel);
    transport.close();
    podResources.close();
    plugin.close();
    kubelet.close();
  }

  @Test
  void listReportsEachAdmittedContainersDevicesOnePerEntryWithTheirNumaNode() {
    kubelet.admit(TRAINER, "main", GPU, 2);
    kubelet.admit(SIDECAR, "helper", GPU, 1);

    List<PodResources> pods =
        lister().list(ListPodResourcesRequest.getDefaultInstance()).getPodResourcesList();

    assertThat(pods).extracting(PodResources::getName).containsExactly("trainer", "sidecar");
    ContainerResources main = pods.get(0).getContainers(0);
    assertThat(pods.get(0).getNamespace()).isEqualTo("team");
    assertThat(main.getName()).isEqualTo("main");
    assertThat(main.getDevicesList()).containsExactly(entry("G0", 0L), entry("G1", 1L));
    assertThat(pods.get(1).getContainers(0).getDevicesList()).containsExactly(entry("G2", null));
  }

  @Test
  void aReleasedPodDisappearsFromTheList() {
    kubelet.admit(TRAINER, "main", GPU, 1);
    kubelet.admit(SIDECAR, "helper", GPU, 1);

    kubelet.release(TRAINER.uid());

    assertThat(lister().list(ListPodResourcesRequest.getDefaultInstance()).getPodResourcesList())
        .extracting(PodResources::getName)
        .containsExactly("sidecar");
  }

  @Test
  void getFindsAPodByNamespaceAndNameAndRefusesAnUnknownOneAsTheKubeletDoes() {
    kubelet.admit(TRAINER, "main", GPU, 1);

    PodResources found = lister()
        .get(GetPodResourcesRequest.newBuilder()
            .setPodNamespace("team")
            .setPodName("trainer")
            .build())
        .getPodResources();
    assertThat(found.getContainers(0).getDevicesList()).containsExactly(entry("G0", 0L));
    GetPodResourcesRequest unknown = GetPodResourcesRequest.newBuilder()
        .setPodNamespace("other")
        .setPodName("trainer")
        .build();
    assertThatThrownBy(() -> lister().get(unknown))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN))
        .hasMessageContaining("pod trainer in namespace other not found");
  }

  @Test
  void allocatableResourcesListEveryDeviceOfTheCurrentRegistrations() {
    kubelet.admit(TRAINER, "main", GPU, 1);

    assertThat(lister()
            .getAllocatableResources(AllocatableResourcesRequest.getDefaultInstance())
            .getDevicesList())
        .containsExactly(entry("G0", 0L), entry("G1", 1L), entry("G2", null));
  }

  private PodResourcesListerBlockingStub lister() {
    return PodResourcesListerGrpc.newBlockingStub(channel).withDeadlineAfter(Duration.ofSeconds(5));
  }

  private static ContainerDevices entry(String id, Long numaNode) {
    ContainerDevices.Builder entry =
        ContainerDevices.newBuilder().setResourceName(GPU).addDeviceIds(id);
    if (numaNode != null) {
      entry.setTopology(TopologyInfo.newBuilder().addNodes(NUMANode.newBuilder().setID(numaNode)));
    }
    return entry.build();
  }
}
