package io.kubeaccel.core.ledger;

import static io.kubeaccel.core.ledger.TinyDevicePlugin.device;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.kubeaccel.proto.UnixSocketTransport;
import io.kubeaccel.proto.podresources.v1.ContainerDevices;
import io.kubeaccel.proto.podresources.v1.ContainerResources;
import io.kubeaccel.proto.podresources.v1.ListPodResourcesRequest;
import io.kubeaccel.proto.podresources.v1.ListPodResourcesResponse;
import io.kubeaccel.proto.podresources.v1.PodResources;
import io.kubeaccel.proto.podresources.v1.PodResourcesListerGrpc;
import io.kubeaccel.testkit.KubeletStandIn;
import io.kubeaccel.testkit.PodRef;
import io.kubeaccel.testkit.PodResourcesStandIn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The PodResources client against the testkit's kubelet stand-in and against servers that misbehave. */
@Timeout(60)
class PodResourcesClientTest {

  private static final String CARD = "example.com/card";
  private static final String SLICE = "example.com/slice";
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** Under /tmp, not the build's temp dir: unix socket paths must stay short. */
  private Path base;

  private final List<AutoCloseable> opened = new ArrayList<>();

  @BeforeEach
  void makeSocketDir() throws IOException {
    base = Files.createTempDirectory(Path.of("/tmp"), "kapr");
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
    try (Stream<Path> paths = Files.walk(base)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  private <T extends AutoCloseable> T open(T closeable) {
    opened.add(closeable);
    return closeable;
  }

  @Test
  void listsEveryAdmittedContainerWithThePerDeviceEntriesOfEachResourceMerged() throws Exception {
    KubeletStandIn kubelet = open(KubeletStandIn.start(base.resolve("dp")));
    // C1 sits on two NUMA nodes, so the kubelet lists it twice; C2 has no topology.
    open(TinyDevicePlugin.serveAndRegister(
        base.resolve("dp/card.sock"),
        CARD,
        List.of(device("C0", 0), device("C1", 0, 1), device("C2"), device("C3", 1))));
    open(TinyDevicePlugin.serveAndRegister(
        base.resolve("dp/slice.sock"), SLICE, List.of(device("S0", 0), device("S1", 1))));
    kubelet.awaitRegistration(CARD, TinyDevicePlugin.registrationWait());
    kubelet.awaitRegistration(SLICE, TinyDevicePlugin.registrationWait());
    PodResourcesStandIn podResources =
        open(PodResourcesStandIn.start(base.resolve("pr/kubelet.sock"), kubelet));
    PodRef trainer = new PodRef("uid-trainer", "ml", "trainer");
    PodRef server = new PodRef("uid-server", "web", "server");
    kubelet.admit(trainer, "main", CARD, 2);
    kubelet.admit(trainer, "main", SLICE, 2);
    kubelet.admit(trainer, "helper", CARD, 1);
    kubelet.admit(server, "app", CARD, 1);

    PodResourcesClient client = open(new PodResourcesClient(podResources.socket(), TIMEOUT));
    List<ListedContainer> listed = client.list();

    assertThat(listed)
        .containsExactly(
            new ListedContainer(
                "ml",
                "trainer",
                "main",
                Map.of(CARD, List.of("C0", "C1"), SLICE, List.of("S0", "S1"))),
            new ListedContainer("ml", "trainer", "helper", Map.of(CARD, List.of("C2"))),
            new ListedContainer("web", "server", "app", Map.of(CARD, List.of("C3"))));
    assertThat(listed.get(0).deviceIdsByResource().keySet()).containsExactly(CARD, SLICE);
    assertThat(listed.get(0).is(new ContainerRef("any-uid", "ml", "trainer", "main")))
        .isTrue();

    kubelet.release("uid-trainer");
    assertThat(client.list())
        .singleElement()
        .isEqualTo(new ListedContainer("web", "server", "app", Map.of(CARD, List.of("C3"))));
  }

  @Test
  void keepsContainersWithoutDevicesAndMergesInterleavedEntriesInFirstSeenOrder() throws Exception {
    ListPodResourcesResponse answer = ListPodResourcesResponse.newBuilder()
        .addPodResources(PodResources.newBuilder()
            .setNamespace("ns")
            .setName("p")
            .addContainers(ContainerResources.newBuilder()
                .setName("gpu")
                .addDevices(entry(SLICE, "S1"))
                .addDevices(entry(CARD, "C2", "C0"))
                .addDevices(entry(SLICE, "S0", "S1"))
                .addDevices(entry(CARD, "C2")))
            .addContainers(ContainerResources.newBuilder().setName("cpu-only").addCpuIds(3)))
        .build();
    Path socket = base.resolve("scripted.sock");
    open(serve(socket, response -> {
      response.onNext(answer);
      response.onCompleted();
    }));

    List<ListedContainer> listed = open(new PodResourcesClient(socket, TIMEOUT)).list();

    assertThat(listed)
        .containsExactly(
            new ListedContainer(
                "ns", "p", "gpu", Map.of(SLICE, List.of("S1", "S0"), CARD, List.of("C2", "C0"))),
            new ListedContainer("ns", "p", "cpu-only", Map.of()));
    assertThat(listed.get(0).deviceIdsByResource().keySet()).containsExactly(SLICE, CARD);
    assertThat(listed.get(1).deviceIds(CARD)).isEmpty();
  }

  @Test
  void aMissingSocketFailsAtOnceNamingTheSocketAndTheStatus() {
    Path socket = base.resolve("nobody/kubelet.sock");
    PodResourcesClient client = open(new PodResourcesClient(socket, TIMEOUT));

    long start = System.nanoTime();
    assertThatThrownBy(client::list)
        .isInstanceOfSatisfying(PodResourcesException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.socket()).isEqualTo(socket);
        })
        .hasMessageContaining(socket.toString())
        .hasMessageContaining("UNAVAILABLE");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT);
  }

  @Test
  void aKubeletThatDoesNotAnswerFailsTheCallWhenTheTimeoutPasses() throws Exception {
    Path socket = base.resolve("silent.sock");
    CountDownLatch called = new CountDownLatch(1);
    open(serve(socket, response -> called.countDown()));
    Duration timeout = Duration.ofMillis(300);
    PodResourcesClient client = open(new PodResourcesClient(socket, timeout));

    long start = System.nanoTime();
    assertThatThrownBy(client::list)
        .isInstanceOfSatisfying(
            PodResourcesException.class,
            e -> assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED))
        .hasMessageContaining(socket.toString())
        .hasMessageContaining("DEADLINE_EXCEEDED");
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(called.getCount()).isZero();
    assertThat(took).isBetween(timeout.minusMillis(50), timeout.plusSeconds(3));
  }

  @Test
  void aSocketPathTooLongForUnixSocketsIsRefusedAtConstruction() {
    Path socket = base.resolve("x".repeat(120) + ".sock");

    assertThatThrownBy(() -> new PodResourcesClient(socket, TIMEOUT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unix socket path");
  }

  /** A PodResources server whose List does what {@code list} says (possibly nothing). */
  private static AutoCloseable serve(
      Path socket, Consumer<StreamObserver<ListPodResourcesResponse>> list) throws IOException {
    UnixSocketTransport transport = new UnixSocketTransport("scripted-podresources", 1);
    Server server = transport
        .serverBuilder(socket)
        .addService(new PodResourcesListerGrpc.PodResourcesListerImplBase() {
          @Override
          public void list(
              ListPodResourcesRequest request, StreamObserver<ListPodResourcesResponse> response) {
            list.accept(response);
          }
        })
        .build()
        .start();
    return () -> {
      server.shutdownNow().awaitTermination();
      transport.close();
    };
  }

  private static ContainerDevices entry(String resource, String... ids) {
    return ContainerDevices.newBuilder()
        .setResourceName(resource)
        .addAllDeviceIds(List.of(ids))
        .build();
  }
}
