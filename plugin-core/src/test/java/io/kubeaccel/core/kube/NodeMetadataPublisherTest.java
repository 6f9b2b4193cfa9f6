package io.kubeaccel.core.kube;

import static io.kubeaccel.core.kube.KubeObjects.NODE;
import static io.kubeaccel.core.kube.KubeObjects.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubeaccel.core.kube.KubeAccess.PodScoping;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NodeMetadataPublisherTest {

  private static final String PRODUCT = "nvidia.com/gpu.product";
  private static final String COUNT = "nvidia.com/gpu.count";
  private static final String CARDS = "kubeaccel.io/cards";
  private static final Set<String> OWNED = Set.of(PRODUCT, COUNT, CARDS);
  private static final Map<String, String> FOREIGN_LABELS =
      Map.of("kubernetes.io/hostname", NODE, "nvidia-device-enable", "vgpu");
  private static final Map<String, String> FOREIGN_ANNOTATIONS =
      Map.of("node.alpha.kubernetes.io/ttl", "0");
  private static final Predicate<MockApiServer.Request> NODE_PATCHES =
      MockApiServer.method("PATCH", "/api/v1/nodes/" + NODE);
  private static final Predicate<MockApiServer.Request> NODE_READS =
      MockApiServer.method("GET", "/api/v1/nodes/" + NODE);

  private MockApiServer server;
  private KubernetesClient client;
  private KubeAccess access;

  @BeforeEach
  void startServer() {
    server = new MockApiServer();
    client = server.newClient();
  }

  @AfterEach
  void stop() {
    server.close(); // first: see MockApiServer#close
    if (access != null) {
      access.close();
    }
    client.close();
  }

  private NodeMetadataPublisher publisher(Duration minPublishInterval) {
    access = KubeAccess.using(
        client, KubeObjects.settings(minPublishInterval), PodScoping.CLIENT_SIDE_ONLY);
    return access.nodeMetadata();
  }

  private void createNode() {
    client
        .nodes()
        .resource(KubeObjects.node(NODE, FOREIGN_LABELS, FOREIGN_ANNOTATIONS))
        .create();
  }

  private Node node() {
    return client.nodes().withName(NODE).get();
  }

  private static void await(CompletableFuture<Void> future) throws Exception {
    future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Test
  void addsUpdatesAndRemovesOwnedKeysAndLeavesForeignOnesAlone() throws Exception {
    createNode();
    NodeMetadataPublisher publisher = publisher(Duration.ZERO);

    publisher.publish(
        OWNED, Map.of(PRODUCT, "A100-SXM4-80GB", COUNT, "8"), Map.of(CARDS, "[{\"index\":0}]"));
    await(publisher.published());

    assertThat(node().getMetadata().getLabels())
        .containsAllEntriesOf(FOREIGN_LABELS)
        .containsEntry(PRODUCT, "A100-SXM4-80GB")
        .containsEntry(COUNT, "8");
    assertThat(node().getMetadata().getAnnotations())
        .containsAllEntriesOf(FOREIGN_ANNOTATIONS)
        .containsEntry(CARDS, "[{\"index\":0}]");

    publisher.publish(OWNED, Map.of(PRODUCT, "H100-SXM5-80GB"), Map.of());
    await(publisher.published());

    assertThat(node().getMetadata().getLabels())
        .containsExactlyInAnyOrderEntriesOf(Map.of(
            "kubernetes.io/hostname",
            NODE,
            "nvidia-device-enable",
            "vgpu",
            PRODUCT,
            "H100-SXM5-80GB"));
    assertThat(node().getMetadata().getAnnotations())
        .containsExactlyInAnyOrderEntriesOf(FOREIGN_ANNOTATIONS);
  }

  @Test
  void republishingTheSameStateWritesNothing() throws Exception {
    createNode();
    NodeMetadataPublisher publisher = publisher(Duration.ZERO);
    publisher.publish(OWNED, Map.of(PRODUCT, "A100"), Map.of());
    await(publisher.published());

    publisher.publish(OWNED, Map.of(PRODUCT, "A100"), Map.of());
    await(publisher.published());

    assertThat(server.count(NODE_PATCHES)).isEqualTo(1);
  }

  @Test
  void aBurstOfPublishesIsCoalescedIntoFewWritesOfTheLatestState() throws Exception {
    createNode();
    NodeMetadataPublisher publisher = publisher(Duration.ofMillis(300));

    for (int i = 1; i <= 200; i++) {
      publisher.publish(OWNED, Map.of(COUNT, Integer.toString(i)), Map.of());
    }
    await(publisher.published());

    assertThat(node().getMetadata().getLabels()).containsEntry(COUNT, "200");
    assertThat(server.count(NODE_PATCHES)).isBetween(1L, 3L);
  }

  @Test
  void writesOnceTheApiServerIsBackAfterAnOutageAtStart() throws Exception {
    createNode();
    server.down();
    NodeMetadataPublisher publisher = publisher(Duration.ZERO);

    publisher.publish(OWNED, Map.of(PRODUCT, "A100"), Map.of());
    CompletableFuture<Void> published = publisher.published();
    assertThat(server.awaitRequests(NODE_READS.and(r -> r.refused()), 3, WAIT)).isTrue();
    assertThat(published).isNotDone();

    server.up();
    await(published);
    assertThat(node().getMetadata().getLabels()).containsEntry(PRODUCT, "A100");
  }

  @Test
  void waitsForItsNodeToBeRegistered() throws Exception {
    NodeMetadataPublisher publisher = publisher(Duration.ZERO);

    publisher.publish(OWNED, Map.of(PRODUCT, "A100"), Map.of());
    assertThat(server.awaitRequests(NODE_READS, 2, WAIT)).isTrue();
    createNode();

    await(publisher.published());
    assertThat(node().getMetadata().getLabels())
        .containsEntry(PRODUCT, "A100")
        .containsAllEntriesOf(FOREIGN_LABELS);
  }

  @Test
  void keysOutsideTheOwnedSetAreRefused() {
    NodeMetadataPublisher publisher = publisher(Duration.ZERO);

    assertThatThrownBy(() ->
            publisher.publish(Set.of(PRODUCT), Map.of("kubernetes.io/hostname", "x"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kubernetes.io/hostname");
    assertThat(publisher.published()).isCompleted();
  }
}
