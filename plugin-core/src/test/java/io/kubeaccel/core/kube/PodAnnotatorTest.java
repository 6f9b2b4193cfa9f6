package io.kubeaccel.core.kube;

import static io.kubeaccel.core.kube.KubeObjects.NODE;
import static io.kubeaccel.core.kube.KubeObjects.WAIT;
import static io.kubeaccel.core.kube.KubeObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubeaccel.core.kube.KubeAccess.PodScoping;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PodAnnotatorTest {

  private static final String PODS = "/api/v1/namespaces/team-a/pods/train-1";
  private static final Predicate<MockApiServer.Request> PATCHES =
      MockApiServer.method("PATCH", PODS);

  private MockApiServer server;
  private KubernetesClient client;
  private KubeAccess access;

  @BeforeEach
  void start() {
    server = new MockApiServer();
    client = server.newClient();
    access =
        KubeAccess.using(client, KubeObjects.settings(Duration.ZERO), PodScoping.CLIENT_SIDE_ONLY);
  }

  @AfterEach
  void stop() {
    server.close(); // first: see MockApiServer#close
    access.close();
    client.close();
  }

  private PodRef createPod(Map<String, String> annotations) {
    Pod pod = new PodBuilder(pod("team-a", "train-1", null, NODE))
        .editMetadata()
        .withAnnotations(annotations)
        .endMetadata()
        .build();
    return PodRef.of(client.pods().resource(pod).create());
  }

  private Map<String, String> annotationsNow() {
    return client
        .pods()
        .inNamespace("team-a")
        .withName("train-1")
        .get()
        .getMetadata()
        .getAnnotations();
  }

  @Test
  void mergesAnnotationsAndKeepsTheOthers() throws Exception {
    PodRef pod = createPod(Map.of("team", "vision"));

    access
        .podAnnotator()
        .annotate(
            pod, Map.of("tencent.com/gpu-assigned", "true", "tencent.com/predicate-gpu-idx-0", "1"))
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

    assertThat(annotationsNow())
        .containsExactlyInAnyOrderEntriesOf(Map.of(
            "team",
            "vision",
            "tencent.com/gpu-assigned",
            "true",
            "tencent.com/predicate-gpu-idx-0",
            "1"));
  }

  @Test
  void annotatesAPodThatHadNoAnnotations() throws Exception {
    PodRef pod = createPod(Map.of());

    await(access.podAnnotator().annotate(pod, Map.of("tencent.com/gpu-assigned", "true")));

    assertThat(annotationsNow())
        .containsExactlyEntriesOf(Map.of("tencent.com/gpu-assigned", "true"));
  }

  @Test
  void sendsNothingWhenThePodAlreadyCarriesTheAnnotations() throws Exception {
    PodRef pod = createPod(Map.of("tencent.com/gpu-assigned", "true"));

    await(access.podAnnotator().annotate(pod, Map.of("tencent.com/gpu-assigned", "true")));

    assertThat(server.count(PATCHES)).isZero();
  }

  @Test
  void neverAnnotatesAPodRecreatedUnderTheSameName() {
    PodRef old = createPod(Map.of());
    client.pods().inNamespace("team-a").withName("train-1").delete();
    PodRef recreated = createPod(Map.of());
    assertThat(recreated.uid()).isNotEqualTo(old.uid());

    CompletableFuture<Void> result =
        access.podAnnotator().annotate(old, Map.of("tencent.com/gpu-assigned", "true"));

    assertThat(result)
        .failsWithin(WAIT)
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(PodGoneException.class)
        .withMessageContaining("re-created");
    assertThat(annotationsNow()).doesNotContainKey("tencent.com/gpu-assigned");
    assertThat(server.count(PATCHES)).isZero();
  }

  @Test
  void givesUpOnADeletedPod() {
    PodRef pod = createPod(Map.of());
    client.pods().inNamespace("team-a").withName("train-1").delete();

    assertThat(access.podAnnotator().annotate(pod, Map.of("a", "1")))
        .failsWithin(WAIT)
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(PodGoneException.class);
  }

  @Test
  void retriesWithBackoffWhileTheServerFails() throws Exception {
    PodRef pod = createPod(Map.of());
    server.failNext(3, PATCHES);

    await(access.podAnnotator().annotate(pod, Map.of("tencent.com/gpu-assigned", "true")));

    assertThat(annotationsNow()).containsEntry("tencent.com/gpu-assigned", "true");
    assertThat(server.count(PATCHES.and(r -> r.refused()))).isEqualTo(3);
    assertThat(server.count(PATCHES.and(r -> !r.refused()))).isEqualTo(1);
  }

  @Test
  void waitsOutAnOutageOfTheWholeApiServer() throws Exception {
    PodRef pod = createPod(Map.of());
    server.down();

    CompletableFuture<Void> result = access.podAnnotator().annotate(pod, Map.of("a", "1"));
    assertThat(server.awaitRequests(MockApiServer.method("GET", PODS), 3, WAIT)).isTrue();
    assertThat(result).isNotDone();

    server.up();
    await(result);
    assertThat(annotationsNow()).containsEntry("a", "1");
  }

  @Test
  void callsForOnePodAreAppliedInCallOrderDespiteRetries() throws Exception {
    PodRef pod = createPod(Map.of());
    server.failNext(2, PATCHES);

    CompletableFuture<Void> first = access.podAnnotator().annotate(pod, Map.of("stage", "one"));
    CompletableFuture<Void> second = access.podAnnotator().annotate(pod, Map.of("stage", "two"));
    await(second);

    assertThat(first).isCompleted();
    assertThat(annotationsNow()).containsEntry("stage", "two");
  }

  @Test
  void closeEndsPendingAnnotationsWithCancellation() throws Exception {
    PodRef pod = createPod(Map.of());
    server.down();
    CompletableFuture<Void> result = access.podAnnotator().annotate(pod, Map.of("a", "1"));
    assertThat(server.awaitRequests(MockApiServer.method("GET", PODS), 1, WAIT)).isTrue();

    access.close();

    assertThat(result).isCancelled();
    assertThatThrownBy(() -> await(result)).isInstanceOf(CancellationException.class);
    assertThat(access.podAnnotator().annotate(pod, Map.of("b", "2"))).isCancelled();
  }

  private static void await(CompletableFuture<Void> future) throws Exception {
    future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
