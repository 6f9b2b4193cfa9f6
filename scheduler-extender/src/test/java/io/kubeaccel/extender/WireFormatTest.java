package io.kubeaccel.extender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** kube-scheduler's extender JSON, read and written with Go's field names, both nodeCacheCapable modes. */
class WireFormatTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final WireFormat wire = new WireFormat(new KubernetesSerialization());

  static byte[] sample(String name) {
    try (InputStream in = WireFormatTest.class.getResourceAsStream("/wire/" + name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void readsThePodAndWholeNodesTheSchedulerSendsWithoutANodeCache() {
    ExtenderArgs args = wire.readArgs(sample("predicates-nodes.json"));

    assertThat(args.byName()).isFalse();
    assertThat(args.nodeNames()).containsExactly("gpu-a", "gpu-b", "cpu-1");
    assertThat(args.pod().getMetadata().getUid()).isEqualTo("6f0c7a5e-3d2b-4a57-9c1e-2a4b8d9e0f11");
    assertThat(args.pod().getSpec().getContainers().get(0).getResources().getLimits())
        .containsEntry("tencent.com/vcuda-core", new Quantity("80"));
  }

  @Test
  void echoesThePassingNodeObjectsUnchangedAndNamesTheFailedOnes() {
    ExtenderArgs args = wire.readArgs(sample("predicates-nodes.json"));
    FilterResult result = new FilterResult(
        List.of("gpu-b"), Map.of("gpu-a", "too full"), Map.of("cpu-1", "no GPU"), "");

    JsonNode out = JSON.readTree(wire.writeFilter(args, result));
    JsonNode sent = JSON.readTree(sample("predicates-nodes.json"));

    assertThat(out.propertyNames())
        .containsExactly(
            "Nodes", "NodeNames", "FailedNodes", "FailedAndUnresolvableNodes", "Error");
    assertThat(out.get("Nodes").get("items")).hasSize(1);
    assertThat(out.get("Nodes").get("items").get(0))
        .isEqualTo(sent.get("Nodes").get("items").get(1));
    assertThat(out.get("Nodes").get("metadata")).isEqualTo(sent.get("Nodes").get("metadata"));
    assertThat(out.get("NodeNames").isNull()).isTrue();
    assertThat(out.get("FailedNodes").get("gpu-a").asString()).isEqualTo("too full");
    assertThat(out.get("FailedAndUnresolvableNodes").get("cpu-1").asString()).isEqualTo("no GPU");
    assertThat(out.get("Error").asString()).isEmpty();
  }

  @Test
  void answersNodeNamesWhenTheSchedulerSentNames() {
    ExtenderArgs args = wire.readArgs(sample("predicates-names.json"));

    byte[] out = wire.writeFilter(args, new FilterResult(List.of("gpu-b"), Map.of(), Map.of(), ""));

    assertThat(args.byName()).isTrue();
    assertThat(args.nodeNames()).containsExactly("gpu-a", "gpu-b", "cpu-1");
    assertThat(new String(out, StandardCharsets.UTF_8))
        .isEqualTo("{\"Nodes\":null,\"NodeNames\":[\"gpu-b\"],\"FailedNodes\":{},"
            + "\"FailedAndUnresolvableNodes\":{},\"Error\":\"\"}");
  }

  @Test
  void writesHostPriorityListAndBindingResults() {
    assertThat(new String(
            wire.writePriorities(
                List.of(new HostPriority("gpu-a", 0), new HostPriority("gpu-b", 7))),
            StandardCharsets.UTF_8))
        .isEqualTo("[{\"Host\":\"gpu-a\",\"Score\":0},{\"Host\":\"gpu-b\",\"Score\":7}]");
    assertThat(new String(wire.writeError(""), StandardCharsets.UTF_8))
        .isEqualTo("{\"Error\":\"\"}");
  }

  @Test
  void readsExtenderBindingArgs() {
    assertThat(wire.readBinding(sample("bind.json")))
        .isEqualTo(
            new BindingArgs("train-0", "ml", "6f0c7a5e-3d2b-4a57-9c1e-2a4b8d9e0f11", "gpu-b"));
  }

  @Test
  void readsFieldNamesWithoutRegardToCaseAsGoDoes() {
    ExtenderArgs args = wire.readArgs(
        bytes("{\"pod\":{\"metadata\":{\"name\":\"p\",\"uid\":\"u\"}},\"nodenames\":[\"a\"]}"));

    assertThat(args.nodeNames()).containsExactly("a");
    assertThat(args.pod().getMetadata().getNamespace()).isEqualTo("default");
    assertThat(wire.readBinding(
            bytes("{\"podName\":\"p\",\"podNamespace\":\"ns\",\"podUid\":\"u\",\"node\":\"n\"}")))
        .isEqualTo(new BindingArgs("p", "ns", "u", "n"));
  }

  @Test
  void refusesWhatTheSchedulerNeverSendsWithAReason() {
    assertThatThrownBy(() -> wire.readArgs(bytes("{\"Pod\": ")))
        .isInstanceOf(MalformedRequestException.class)
        .hasMessageStartingWith("malformed JSON at line 1 column");
    assertThatThrownBy(() -> wire.readArgs(bytes("[1]")))
        .hasMessage("expected a JSON object (ExtenderArgs)");
    assertThatThrownBy(() -> wire.readArgs(bytes("")))
        .hasMessage("expected a JSON object (ExtenderArgs)");
    assertThatThrownBy(() -> wire.readArgs(bytes("{\"NodeNames\":[\"a\"]}")))
        .hasMessage("ExtenderArgs.Pod is missing");
    assertThatThrownBy(() ->
            wire.readArgs(bytes("{\"Pod\":{\"metadata\":{\"name\":\"p\"}},\"NodeNames\":[]}")))
        .hasMessage("ExtenderArgs.Pod needs metadata.name and metadata.uid");
    assertThatThrownBy(() -> wire.readArgs(bytes("{\"Pod\":{\"spec\":{\"containers\":7}}}")))
        .hasMessageStartingWith("ExtenderArgs.Pod is not a Pod: ");
    assertThatThrownBy(() -> wire.readArgs(
            bytes("{\"Pod\":{\"metadata\":{\"name\":\"p\",\"uid\":\"u\"}},\"NodeNames\":\"a\"}")))
        .hasMessage("ExtenderArgs.NodeNames must be an array of strings");
    assertThatThrownBy(
            () -> wire.readArgs(
                bytes(
                    "{\"Pod\":{\"metadata\":{\"name\":\"p\",\"uid\":\"u\"}},\"Nodes\":{\"items\":[{\"spec\":{}}]}}")))
        .hasMessage("ExtenderArgs.Nodes.items[0] has no metadata.name");
    assertThatThrownBy(
            () -> wire.readArgs(
                bytes(
                    "{\"Pod\":{\"metadata\":{\"name\":\"p\",\"uid\":\"u\"}},\"Nodes\":null,\"NodeNames\":null}")))
        .hasMessageStartingWith("ExtenderArgs carries neither Nodes");
    assertThatThrownBy(() -> wire.readBinding(bytes("{\"PodName\":\"p\",\"Node\":\"n\"}")))
        .hasMessage("ExtenderBindingArgs.PodNamespace is missing or not a string");
  }
}
