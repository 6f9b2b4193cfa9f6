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
  void aPatchWhoseTestFailsIsRefusedWhole() throws Exception {
    HttpResponse<String> response = send(
        "PATCH",
        "/api/v1/nodes/gpu-node-1",
        "application/json-patch+json",
        "[{\"op\":\"add\",\"path\":\"/metadata/labels/a\",\"value\":\"1\"},"
            + "{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\"stale\"}]");

    assertThat(response.statusCode()).isEqualTo(422);
    assertThat(response.body()).contains("test failed at /metadata/resourceVersion");
    assertThat(api.nodeLabels()).containsOnlyKeys("kubernetes.io/hostname");
    assertThat(api.nodePatches()).isZero();
  }

  @Test
  void eventsAreCreatedAndPatched() throws Exception {
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

    HttpResponse<String> again = send(
        "POST",
        "/api/v1/namespaces/default/events",
        "application/json",
        "{\"metadata\":{\"name\":\"gpu-node-1.health\"}}");

    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(client
            .v1()
            .events()
            .inNamespace("default")
            .withName("gpu-node-1.health")
            .get()
            .getCount())
        .isEqualTo(2);
    assertThat(api.events()).isEqualTo(1);
    assertThat(api.unserved()).isEmpty();
  }

  @Test
  void whatIsNotServedIsNotFoundAndBadInputIsRefused() throws Exception {
    assertThat(client.nodes().withName("another-node").get()).isNull();
    assertThat(client.pods().inNamespace("default").withName("p").get()).isNull();
    assertThat(api.unserved())
        .containsExactly("GET /api/v1/nodes/another-node", "GET /api/v1/namespaces/default/pods/p");

    String node = "/api/v1/nodes/gpu-node-1";
    String jsonPatch = "application/json-patch+json";
    String merge = "application/merge-patch+json";
    String before = client.nodes().withName("gpu-node-1").get().toString();
    assertThat(send("PATCH", node, jsonPatch, "[{").statusCode()).isEqualTo(400);
    assertThat(send("PATCH", node, jsonPatch, "[{\"op\":\"move\",\"path\":\"/metadata/labels/a\"}]")
            .body())
        .contains("unsupported JSON patch operation move");
    assertThat(send("PATCH", node, jsonPatch, "[{\"op\":\"test\",\"path\":\"/metadata/name\"}]")
            .body())
        .contains("has no value");
    assertThat(send("PATCH", node, jsonPatch, "{}").statusCode()).isEqualTo(422);
    assertThat(send("PATCH", node, merge, "{\"metadata\":5}").body())
        .contains("without its metadata or name");
    assertThat(send("PATCH", node, merge, "5").statusCode()).isEqualTo(422);
    assertThat(send("PATCH", node, "text/plain", "{\"a\":1}").statusCode()).isEqualTo(415);
    String events = "/api/v1/namespaces/default/events";
    assertThat(send("POST", events, "application/json", "[]").statusCode()).isEqualTo(422);
    assertThat(send("POST", events, "application/json", "{\"metadata\":{}}").body())
        .contains("metadata.name is required");
    assertThat(
            send("POST", events, "application/json", "x".repeat((1 << 20) + 1)).statusCode())
        .isEqualTo(413);
    assertThat(send("PATCH", events + "/none", merge, "{\"count\":2}").statusCode())
        .isEqualTo(404);
    assertThat(client.nodes().withName("gpu-node-1").get().toString()).isEqualTo(before);
    assertThat(api.events()).isZero();
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
