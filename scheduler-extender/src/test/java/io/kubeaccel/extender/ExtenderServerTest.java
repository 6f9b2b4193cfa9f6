package io.kubeaccel.extender;

import static io.kubeaccel.extender.Families.VGPU;
import static io.kubeaccel.extender.Fixtures.Card;
import static io.kubeaccel.extender.Fixtures.WAIT;
import static io.kubeaccel.extender.Fixtures.await;
import static io.kubeaccel.extender.WireFormatTest.sample;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeList;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The extender over HTTP, fed by informers on fabric8's mock API server, writing annotations and Bindings there. */
class ExtenderServerTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String SAMPLE_UID = "6f0c7a5e-3d2b-4a57-9c1e-2a4b8d9e0f11";

  private MockCluster cluster;
  /** The sample pod's UID as the mock API server assigned it (it does not keep the one sent). */
  private String podUid;

  private SchedulerExtender extender;
  private ExtenderClient http;

  @BeforeEach
  void setUp() {
    cluster = new MockCluster();
  }

  @AfterEach
  void tearDown() throws Exception {
    cluster.close(extender);
  }

  /** Creates the sample's Nodes and Pod in the API, then starts the extender and waits until it knows them. */
  private void startWithSampleCluster(AssignAt at) throws Exception {
    JsonNode sample = JSON.readTree(sample("predicates-nodes.json"));
    NodeList nodes = cluster
        .client
        .getKubernetesSerialization()
        .convertValue(sample.get("Nodes"), NodeList.class);
    for (Node node : nodes.getItems()) {
      cluster.client.nodes().resource(fresh(node)).create();
    }
    Pod pod =
        cluster.client.getKubernetesSerialization().convertValue(sample.get("Pod"), Pod.class);
    podUid = cluster
        .client
        .pods()
        .inNamespace("ml")
        .resource(fresh(pod))
        .create()
        .getMetadata()
        .getUid();
    start(at, 8);
    assertThat(await(() -> extender.state().nodesWithCards() == 2, WAIT)).isTrue();
  }

  private void start(AssignAt at, int threads) throws Exception {
    ExtenderSettings defaults = ExtenderSettings.defaults(0).withAssignAt(at);
    ExtenderSettings settings = new ExtenderSettings(
        new java.net.InetSocketAddress("127.0.0.1", 0),
        null,
        at,
        defaults.nodePolicy(),
        defaults.cardPolicy(),
        defaults.maxBodyBytes(),
        defaults.requestTimeout(),
        defaults.assignmentTtl(),
        threads,
        "1.2.3");
    extender = SchedulerExtender.start(cluster.client, settings);
    assertThat(extender.awaitSynced(WAIT)).isTrue();
    http = ExtenderClient.plain(extender.port());
  }

  /** A sample as the scheduler would send it for the pod in this cluster. */
  private byte[] request(String name) {
    if (podUid == null) {
      return sample(name);
    }
    return new String(sample(name), java.nio.charset.StandardCharsets.UTF_8)
        .replace(SAMPLE_UID, podUid)
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** {@code object} as a client would create it: the API server assigns resourceVersion. */
  private static <T extends HasMetadata> T fresh(T object) {
    object.getMetadata().setResourceVersion(null);
    object.getMetadata().setManagedFields(null);
    return object;
  }

  @Test
  void filterWithWholeNodesAnswersWithTheFittingNodeObjectsAndAReasonForTheOthers()
      throws Exception {
    startWithSampleCluster(AssignAt.BIND);

    ExtenderClient.Answer answer =
        http.post("/scheduler/predicates", request("predicates-nodes.json"));

    assertThat(answer.code()).isEqualTo(200);
    JsonNode result = answer.json();
    JsonNode sent = JSON.readTree(sample("predicates-nodes.json"));
    assertThat(result.get("Nodes").get("items"))
        .containsExactly(sent.get("Nodes").get("items").get(1));
    assertThat(result.get("NodeNames").isNull()).isTrue();
    assertThat(result.get("FailedNodes").get("gpu-a").asString())
        .isEqualTo(
            "container trainer: no single GPU has 80 free tencent.com/vcuda-core and 8 free"
                + " tencent.com/vcuda-memory; best: GPU 0 with 60/100 cores and 56/64 memory units free");
    assertThat(result.get("FailedAndUnresolvableNodes").get("cpu-1").asString())
        .startsWith("no kubeaccel.io/gpus annotation");
    assertThat(result.get("Error").asString()).isEmpty();
  }

  @Test
  void filterWithNodeNamesAnswersWithNames() throws Exception {
    startWithSampleCluster(AssignAt.BIND);

    JsonNode result =
        http.post("/scheduler/predicates", request("predicates-names.json")).json();

    assertThat(result.get("Nodes").isNull()).isTrue();
    assertThat(result.get("NodeNames")).extracting(JsonNode::asString).containsExactly("gpu-b");
    assertThat(result.get("FailedNodes").propertyNames()).containsExactly("gpu-a");
    assertThat(result.get("FailedAndUnresolvableNodes").propertyNames()).containsExactly("cpu-1");
  }

  @Test
  void prioritiesScoreTheNodesThatFit() throws Exception {
    startWithSampleCluster(AssignAt.BIND);

    ExtenderClient.Answer answer =
        http.post("/scheduler/priorities", request("predicates-names.json"));

    // gpu-b with the pod: (30 + 80) of 200 cores, (16 + 8) of 320 memory units -> binpack 3.
    assertThat(answer.code()).isEqualTo(200);
    assertThat(answer.body())
        .isEqualTo("[{\"Host\":\"gpu-a\",\"Score\":0},{\"Host\":\"gpu-b\",\"Score\":3},"
            + "{\"Host\":\"cpu-1\",\"Score\":0}]");
  }

  @Test
  void bindWritesTheAssignmentOnThePodAndCreatesTheBinding() throws Exception {
    startWithSampleCluster(AssignAt.BIND);

    ExtenderClient.Answer answer = http.post("/scheduler/bind", request("bind.json"));

    assertThat(answer.code()).isEqualTo(200);
    assertThat(answer.body()).isEqualTo("{\"Error\":\"\"}");
    Pod pod = cluster.client.pods().inNamespace("ml").withName("train-0").get();
    // card-policy spread (the pod's annotation): the emptier card 1.
    assertThat(pod.getMetadata().getAnnotations())
        .containsEntry("tencent.com/predicate-gpu-idx-0", "1")
        .containsEntry("tencent.com/predicate-node", "gpu-b")
        .containsEntry("tencent.com/gpu-assigned", "false")
        .containsEntry("kubeaccel.io/card-policy", "spread")
        .containsKey("tencent.com/predicate-time");
    assertThat(Long.parseLong(pod.getMetadata().getAnnotations().get("tencent.com/predicate-time")))
        .isGreaterThan(1_700_000_000_000_000_000L);
    Binding binding =
        cluster.client.bindings().inNamespace("ml").withName("train-0").get();
    assertThat(binding.getTarget().getName()).isEqualTo("gpu-b");
    assertThat(binding.getTarget().getKind()).isEqualTo("Node");
    assertThat(await(() -> extender.reservations() == 0, WAIT)).isTrue();
  }

  @Test
  void bindRefusesAPodThatIsNotThePodScheduled() throws Exception {
    startWithSampleCluster(AssignAt.BIND);

    JsonNode result = http.post(
            "/scheduler/bind",
            "{\"PodName\":\"train-0\",\"PodNamespace\":\"ml\",\"PodUID\":\"other\",\"Node\":\"gpu-b\"}")
        .json();

    assertThat(result.get("Error").asString())
        .isEqualTo("pod ml/train-0 is uid " + podUid + " now, not other");
    assertThat(cluster.client.bindings().inNamespace("ml").withName("train-0").get())
        .isNull();
  }

  @Test
  void filterOnlyNarrowsToOneNodeAndAnnotatesThePodAtFilterTime() throws Exception {
    startWithSampleCluster(AssignAt.FILTER);

    JsonNode result =
        http.post("/scheduler/predicates", request("predicates-nodes.json")).json();

    assertThat(result.get("Nodes").get("items")).hasSize(1);
    assertThat(
            result.get("Nodes").get("items").get(0).get("metadata").get("name").asString())
        .isEqualTo("gpu-b");
    Pod pod = cluster.client.pods().inNamespace("ml").withName("train-0").get();
    assertThat(pod.getMetadata().getAnnotations())
        .containsEntry("tencent.com/predicate-gpu-idx-0", "1")
        .containsEntry("tencent.com/predicate-node", "gpu-b")
        .containsEntry("tencent.com/gpu-assigned", "false");
    assertThat(cluster.client.bindings().inNamespace("ml").list().getItems()).isEmpty();
  }

  @Test
  void concurrentBindsNeverGrantTheSameCapacityTwice() throws Exception {
    cluster
        .client
        .nodes()
        .resource(Fixtures.node("small", VGPU, Card.free(0, "T4"), Card.free(1, "T4")))
        .create();
    int pods = 50;
    List<String> uids = new ArrayList<>();
    for (int i = 0; i < pods; i++) {
      Pod created = cluster
          .client
          .pods()
          .inNamespace("ml")
          .resource(fresh(Fixtures.pod("p" + i, VGPU, new int[] {30, 4})))
          .create();
      uids.add(created.getMetadata().getUid());
    }
    start(AssignAt.BIND, 16);
    assertThat(await(() -> extender.state().nodesWithCards() == 1, WAIT)).isTrue();
    ExecutorService threads = Executors.newFixedThreadPool(pods);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<ExtenderClient.Answer>> answers = new ArrayList<>();
    try {
      for (int i = 0; i < pods; i++) {
        String body = "{\"PodName\":\"p" + i + "\",\"PodNamespace\":\"ml\",\"PodUID\":\""
            + uids.get(i) + "\",\"Node\":\"small\"}";
        answers.add(threads.submit(() -> {
          go.await();
          return http.post("/scheduler/bind", body);
        }));
      }
      go.countDown();
      List<String> errors = new ArrayList<>();
      for (Future<ExtenderClient.Answer> answer : answers) {
        ExtenderClient.Answer a = answer.get();
        assertThat(a.code()).isEqualTo(200);
        errors.add(a.json().get("Error").asString());
      }
      assertThat(errors).filteredOn(String::isEmpty).hasSize(6);
      assertThat(errors)
          .filteredOn(e -> !e.isEmpty())
          .allSatisfy(
              e -> assertThat(e).startsWith("node small: container c0: no single GPU has 30 free"));
    } finally {
      threads.shutdownNow();
    }
    Map<String, Integer> coresByCard = new HashMap<>();
    for (Pod pod : cluster.client.pods().inNamespace("ml").list().getItems()) {
      String card = pod.getMetadata().getAnnotations() == null
          ? null
          : pod.getMetadata().getAnnotations().get("tencent.com/predicate-gpu-idx-0");
      if (card != null) {
        coresByCard.merge(card, 30, Integer::sum);
      }
    }
    assertThat(coresByCard)
        .containsOnlyKeys("0", "1")
        .allSatisfy((card, cores) -> assertThat(cores).isLessThanOrEqualTo(100));
    assertThat(cluster.client.bindings().inNamespace("ml").list().getItems()).hasSize(6);
  }

  @Test
  void malformedJsonIsABadRequestWithTheReason() throws Exception {
    start(AssignAt.BIND, 2);

    ExtenderClient.Answer answer = http.post("/scheduler/predicates", "{\"Pod\": {\"metadata\": ");

    assertThat(answer.code()).isEqualTo(400);
    assertThat(answer.json().get("Error").asString()).startsWith("malformed JSON at line 1");
    assertThat(http.post("/scheduler/bind", "{}").json().get("Error").asString())
        .isEqualTo("ExtenderBindingArgs.PodName is missing or not a string");
  }

  @Test
  void anOversizedBodyIsRefusedWithOrWithoutAContentLength() throws Exception {
    start(AssignAt.BIND, 2);
    byte[] big = new byte[ExtenderSettings.DEFAULT_MAX_BODY_BYTES + 1];
    java.util.Arrays.fill(big, (byte) ' ');

    ExtenderClient.Answer declared = http.post("/scheduler/predicates", big);
    ExtenderClient.Answer chunked = http.postChunked("/scheduler/predicates", big);

    assertThat(declared.code()).isEqualTo(413);
    assertThat(declared.json().get("Error").asString())
        .contains("exceeds the limit of 4194304 bytes");
    assertThat(chunked.code()).isEqualTo(413);
  }

  @Test
  void unknownPathsAndMethodsAreRefused() throws Exception {
    start(AssignAt.BIND, 2);

    assertThat(http.post("/scheduler/preempt", "{}").code()).isEqualTo(404);
    assertThat(http.get("/").code()).isEqualTo(404);
    assertThat(http.get("/scheduler/predicates").code()).isEqualTo(405);
    assertThat(http.post("/healthz", "").code()).isEqualTo(405);
  }

  @Test
  void servesHealthVersionReadinessAndMetrics() throws Exception {
    start(AssignAt.BIND, 2);
    http.post("/scheduler/predicates", request("predicates-names.json"));

    assertThat(http.get("/healthz").code()).isEqualTo(200);
    assertThat(http.get("/readyz").code()).isEqualTo(200);
    assertThat(http.get("/version").body())
        .isEqualTo("{\"name\":\"kubeaccel-scheduler-extender\",\"version\":\"1.2.3\"}");
    String metrics = http.get("/metrics").body();
    assertThat(metrics)
        .contains(
            "kubeaccel_extender_requests_total{code=\"200\",path=\"/scheduler/predicates\"} 1.0")
        .contains("kubeaccel_extender_request_duration_seconds_bucket{verb=\"predicates\"")
        .contains("kubeaccel_extender_filtered_nodes_total{family=\"vgpu\",result=\"failed\"} 3.0")
        .contains("kubeaccel_extender_cache_synced 1.0")
        .contains("kubeaccel_extender_reservations 0.0");
  }
}
