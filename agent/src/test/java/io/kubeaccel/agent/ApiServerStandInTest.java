package io.kubeaccel.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.kubeaccel.core.kube.KubeClients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApiServerStandInTest {

  private ApiServerStandIn api;
  private KubernetesClient client;

  @BeforeEach
  void start() throws Exception {
    api = ApiServerStandIn.start("gpu-node-1");
    client = KubeClients.create(
        new ConfigBuilder()
            .withMasterUrl(api.url())
            .withRequestRetryBackoffLimit(0)
            .build(),
        null);
  }

  @AfterEach
  void stop() {
    client.close();
    api.close();
  }

  @Test
  void theNodeIsReadAndPatchedAsAnApiServerDoes() {
    Node node = client.nodes().withName("gpu-node-1").get();
    String version = node.getMetadata().getResourceVersion();

    Node patched = client
        .nodes()
        .withName("gpu-node-1")
        .patch(
            PatchContext.of(PatchType.JSON),
            "[{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\"" + version
                + "\"},{\"op\":\"add\",\"path\":\"/metadata/labels/nvidia.com~1gpu.count\","
                + "\"value\":\"4\"}]");
    client
        .nodes()
        .withName("gpu-node-1")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"a\":\"1\"},\"labels\":{\"kubernetes.io/hostname\":null}}}");

    assertThat(patched.getMetadata().getLabels()).containsEntry("nvidia.com/gpu.count", "4");
    assertThat(patched.getMetadata().getResourceVersion()).isNotEqualTo(version);
    assertThat(api.nodeLabels()).containsOnlyKeys("nvidia.com/gpu.count");
    assertThat(client.nodes().withName("gpu-node-1").get().getMetadata().getAnnotations())
        .containsEntry("a", "1");
    assertThat(api.nodePatches()).isEqualTo(2);
  }

  @Test
  void aFailedTestIsAConflictAndChangesNothing() throws Exception {
    HttpResponse<String> response = send(
        "PATCH",
        "/api/v1/nodes/gpu-node-1",
        "application/json-patch+json",
        "[{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\"stale\"}]");

    assertThat(response.statusCode()).isEqualTo(409);
    assertThat(api.nodePatches()).isZero();
  }

  @Test
  void eventsAreCreatedAndPatched() {
    client
        .v1()
        .events()
        .inNamespace("default")
        .resource(new EventBuilder()
            .withNewMetadata()
            .withName("gpu-node-1.health")
            .endMetadata()
            .withReason("GpuUnhealthy")
            .withCount(1)
            .build())
        .create();
    client
        .v1()
        .events()
        .inNamespace("default")
        .withName("gpu-node-1.health")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"count\":2}");

    assertThat(api.events()).isEqualTo(1);
    assertThat(api.unserved()).isEmpty();
  }

  @Test
  void whatIsNotServedIsNotFoundAndBadInputIsRefused() throws Exception {
    assertThat(client.nodes().withName("another-node").get()).isNull();
    assertThat(client.pods().inNamespace("default").withName("p").get()).isNull();
    assertThat(api.unserved())
        .containsExactly("GET /api/v1/nodes/another-node", "GET /api/v1/namespaces/default/pods/p");

    assertThat(send("PATCH", "/api/v1/nodes/gpu-node-1", "application/json-patch+json", "[{")
            .statusCode())
        .isEqualTo(422);
    assertThat(send(
                "PATCH",
                "/api/v1/nodes/gpu-node-1",
                "application/json-patch+json",
                "[{\"op\":\"move\",\"path\":\"/metadata/labels/a\"}]")
            .body())
        .contains("unsupported JSON patch operation move");
    assertThat(send(
                "POST",
                "/api/v1/namespaces/default/events",
                "application/json",
                "x".repeat((1 << 20) + 1))
            .statusCode())
        .isEqualTo(422);
    assertThat(api.nodePatches()).isZero();
  }

  private HttpResponse<String> send(String method, String path, String type, String body)
      throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(api.url() + path))
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", type)
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
