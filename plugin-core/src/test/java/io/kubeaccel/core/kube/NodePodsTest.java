package io.kubeaccel.core.kube;

import static io.kubeaccel.core.kube.KubeObjects.NODE;
import static io.kubeaccel.core.kube.KubeObjects.OTHER_NODE;
import static io.kubeaccel.core.kube.KubeObjects.WAIT;
import static io.kubeaccel.core.kube.KubeObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubeaccel.core.kube.KubeAccess.PodScoping;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NodePodsTest {

  private MockApiServer server;
  private KubernetesClient client;
  private KubeAccess access;

  @BeforeEach
  void startServer() {
    server = new MockApiServer();
    client = server.newClient();
  }

  @AfterEach
  void stopAll() {
    server.close(); // first: see MockApiServer#close
    if (access != null) {
      access.close();
    }
    client.close();
  }

  private NodePods startAccess() {
    access =
        KubeAccess.using(client, KubeObjects.settings(Duration.ZERO), PodScoping.CLIENT_SIDE_ONLY);
    return access.nodePods();
  }

  /** Creates {@code pod}; the server assigns the UID, as a real one does. */
  private Pod create(Pod pod) {
    return client.pods().resource(pod).create();
  }

  private static List<String> names(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getName()).toList();
  }

  /** Takes events until one matches; fails on timeout. Earlier non-matching events are returned for inspection. */
  private static List<Pod> takeUntil(BlockingQueue<Pod> events, Predicate<Pod> wanted)
      throws InterruptedException {
    List<Pod> seen = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Pod pod = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      assertThat(pod).as("event expected before timeout; saw %s", names(seen)).isNotNull();
      seen.add(pod);
      if (wanted.test(pod)) {
        return seen;
      }
    }
  }

  private static Predicate<Pod> named(String name) {
    return pod -> pod.getMetadata().getName().equals(name);
  }

  @Test
  void seesOnlyThePodsBoundToThisNodeOnceSynced() {
    create(pod("team-a", "train-1", null, NODE));
    String inferUid = create(pod("team-b", "infer-1", null, NODE)).getMetadata().getUid();
    String elsewhereUid =
        create(pod("team-a", "elsewhere", null, OTHER_NODE)).getMetadata().getUid();
    create(pod("team-a", "pending", null, null));

    NodePods pods = startAccess();

    assertThat(pods.awaitSynced(WAIT)).isTrue();
    assertThat(pods.hasSynced()).isTrue();
    assertThat(names(pods.pods())).containsExactly("train-1", "infer-1");
    assertThat(pods.byUid(inferUid)).map(p -> p.getMetadata().getName()).contains("infer-1");
    assertThat(pods.byUid(elsewhereUid)).isEmpty();
  }

  @Test
  void reportsAdditionsAndUpdatesOfThisNodesPodsOnly() throws Exception {
    NodePods pods = startAccess();
    BlockingQueue<Pod> changes = new LinkedBlockingQueue<>();
    pods.onChange(changes::add);
    assertThat(pods.awaitSynced(WAIT)).isTrue();

    create(pod("team-a", "elsewhere", null, OTHER_NODE));
    String uid = create(pod("team-a", "train-1", null, NODE)).getMetadata().getUid();
    assertThat(names(takeUntil(changes, named("train-1")))).containsExactly("train-1");

    client.pods().inNamespace("team-a").withName("train-1").edit(p -> {
      p.getMetadata().getLabels().put("stage", "two");
      return p;
    });
    takeUntil(changes, p -> "two".equals(p.getMetadata().getLabels().get("stage")));
    assertThat(pods.byUid(uid))
        .map(p -> p.getMetadata().getLabels().get("stage"))
        .contains("two");
  }

  @Test
  void reportsEachPodGoneOnceWhetherItFinishesOrIsDeleted() throws Exception {
    NodePods pods = startAccess();
    BlockingQueue<Pod> changes = new LinkedBlockingQueue<>();
    BlockingQueue<Pod> gone = new LinkedBlockingQueue<>();
    pods.onChange(changes::add);
    pods.onGone(gone::add);
    assertThat(pods.awaitSynced(WAIT)).isTrue();
    create(pod("team-a", "done", null, NODE));
    create(pod("team-a", "crashed", null, NODE));
    create(pod("team-a", "running", null, NODE));
    takeUntil(changes, named("running"));

    setPhase("done", "Succeeded");
    setPhase("crashed", "Failed");
    assertThat(names(takeUntil(gone, named("crashed")))).containsExactly("done", "crashed");

    // A finished pod that changes again or is deleted is not reported a second time.
    setPhase("done", "Succeeded");
    client.pods().inNamespace("team-a").withName("done").delete();
    client.pods().inNamespace("team-a").withName("running").delete();
    assertThat(names(takeUntil(gone, named("running")))).containsExactly("running");
    assertThat(names(pods.pods())).containsExactly("crashed");
  }

  private void setPhase(String name, String phase) {
    client.pods().inNamespace("team-a").withName(name).editStatus(p -> {
      p.setStatus(new PodStatusBuilder().withPhase(phase).build());
      return p;
    });
  }

  @Test
  void aClosedListenerHearsNothingMore() throws Exception {
    NodePods pods = startAccess();
    BlockingQueue<Pod> closedOnes = new LinkedBlockingQueue<>();
    BlockingQueue<Pod> open = new LinkedBlockingQueue<>();
    pods.onChange(closedOnes::add).close();
    pods.onChange(open::add);
    assertThat(pods.awaitSynced(WAIT)).isTrue();

    create(pod("team-a", "train-1", null, NODE));
    takeUntil(open, named("train-1"));
    assertThat(closedOnes).isEmpty();
  }

  @Test
  void startsWhileTheApiServerIsDownAndSyncsWhenItComesBack() throws Exception {
    create(pod("team-a", "train-1", null, NODE));
    server.down();

    NodePods pods = startAccess();

    assertThat(server.awaitRequests(r -> r.refused(), 2, WAIT)).isTrue();
    assertThat(pods.hasSynced()).isFalse();
    assertThat(pods.pods()).isEmpty();
    assertThat(pods.awaitSynced(Duration.ofMillis(50))).isFalse();

    server.up();
    assertThat(pods.awaitSynced(WAIT)).isTrue();
    assertThat(names(pods.pods())).containsExactly("train-1");
  }

  @Test
  void productionScopingAsksTheServerForThisNodesPodsOnly() {
    create(pod("team-a", "train-1", null, NODE));

    access = KubeAccess.using(client, KubeObjects.settings(Duration.ZERO));

    assertThat(access.nodePods().awaitSynced(WAIT)).isTrue();
    assertThat(server.requests())
        .anySatisfy(r -> assertThat(r.path())
            .startsWith("/api/v1/pods?")
            .contains("fieldSelector=spec.nodeName=" + NODE));
    // The pitfall the client-side-only scoping exists for: fabric8's CRUD mock answers this
    // selector with nothing.
    assertThat(access.nodePods().pods()).isEmpty();
  }
}
