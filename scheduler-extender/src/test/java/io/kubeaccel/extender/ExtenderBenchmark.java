package io.kubeaccel.extender;

import static io.kubeaccel.extender.Families.VGPU;
import static io.kubeaccel.extender.Fixtures.Card;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * filter + priorities latency and the extender's memory at 100, 1,000 and 5,000 nodes of 8 cards with 30 share pods
 * each, in process (request parsing, decisions and answer writing; no socket). Run with {@code -Dkubeaccel.bench=true
 * -Dtest=ExtenderBenchmark}; skipped otherwise.
 */
@EnabledIfSystemProperty(named = "kubeaccel.bench", matches = "true")
class ExtenderBenchmark {

  @Test
  void filterAndPrioritiesLatency() {
    for (boolean recurring : new boolean[] {true, false}) {
      for (int nodes : Arrays.stream(
              System.getProperty("kubeaccel.bench.nodes", "100,1000,5000").split(","))
          .mapToInt(Integer::parseInt)
          .toArray()) {
        measure(nodes, nodes >= 5_000 ? 200 : 1_000, recurring);
      }
    }
  }

  private static void measure(int nodeCount, int iterations, boolean recurring) {
    System.gc();
    long before = usedHeap();
    ClusterState state = new ClusterState(Clock.systemUTC(), Duration.ofMinutes(5));
    Random random = new Random(42);
    String[] names = new String[nodeCount];
    for (int n = 0; n < nodeCount; n++) {
      names[n] = "node-" + n;
      Card[] cards = new Card[8];
      for (int c = 0; c < 8; c++) {
        cards[c] = new Card(c, "NVIDIA A100-SXM4-80GB", 100, 320, 0, 0);
      }
      state.nodeChanged(Fixtures.node(names[n], VGPU, cards));
      for (int p = 0; p < 30; p++) {
        int card = random.nextInt(8);
        Pod pod = Fixtures.bound(
            Fixtures.annotated(
                Fixtures.pod("p-" + n + "-" + p, VGPU, new int[] {5 + random.nextInt(20), 8}),
                Map.of(
                    "tencent.com/predicate-gpu-idx-0",
                    Integer.toString(card),
                    "tencent.com/gpu-assigned",
                    "true")),
            names[n]);
        pod.getMetadata().setUid("uid-" + n + "-" + p);
        state.podChanged(pod);
      }
    }
    System.gc();
    long after = usedHeap();
    Extender extender = new Extender(
        state,
        new RecordingPodApi(),
        ExtenderSettings.defaults(0).withAssignAt(AssignAt.BIND),
        new ExtenderMetrics(),
        () -> true);
    WireFormat wire = new WireFormat(new KubernetesSerialization());
    String nodeNames = toJson(names);
    long coldStart = System.nanoTime();
    round(extender, wire, request(0, nodeNames, recurring));
    long cold = System.nanoTime() - coldStart;
    long[] samples = new long[iterations];
    for (int i = -iterations / 2; i < iterations; i++) {
      // Between two pods the cluster moves on: a pod lands on some node, invalidating what was
      // known of it.
      churn(state, names[random.nextInt(nodeCount)], i, random);
      byte[] request = request(i + iterations, nodeNames, recurring);
      long start = System.nanoTime();
      round(extender, wire, request);
      if (i >= 0) {
        samples[i] = System.nanoTime() - start;
      }
    }
    Arrays.sort(samples);
    System.out.printf(
        "%s nodes=%d pods=%d filter+priorities p50=%.2fms p99=%.2fms first(cold cache)=%.2fms"
            + " heap(state)=%.1fMiB%n",
        recurring ? "five-shapes" : "new-shape-each",
        nodeCount,
        nodeCount * 30,
        samples[iterations / 2] / 1e6,
        samples[(int) (iterations * 0.99)] / 1e6,
        cold / 1e6,
        (after - before) / 1048576.0);
  }

  /**
   * A new pod each time: of one of five shapes (as a cluster of a few workloads sends them), or of a shape not seen
   * recently (the worst case for the extender's per-node memo).
   */
  private static byte[] request(int n, String nodeNames, boolean recurring) {
    int[][] shapes = {{60, 40}, {30, 16}, {20, 8}, {100, 0}, {45, 24}};
    int[] shape = recurring
        ? shapes[Math.floorMod(n, shapes.length)]
        : new int[] {10 + Math.floorMod(n, 53), 1 + Math.floorMod(n, 29)};
    String limits = "{\"tencent.com/vcuda-core\":\"" + shape[0] + "\""
        + (shape[1] > 0 ? ",\"tencent.com/vcuda-memory\":\"" + shape[1] + "\"" : "") + "}";
    return ("{\"Pod\":{\"metadata\":{\"name\":\"bench-" + n
            + "\",\"namespace\":\"ml\",\"uid\":\"bench-"
            + n + "\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"resources\":{\"limits\":"
            + limits
            + "}}]}},\"Nodes\":null,\"NodeNames\":" + nodeNames + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static void churn(ClusterState state, String node, int i, Random random) {
    Pod pod = Fixtures.bound(
        Fixtures.annotated(
            Fixtures.pod("churn-" + i, VGPU, new int[] {5, 1}),
            Map.of(
                "tencent.com/predicate-gpu-idx-0",
                Integer.toString(random.nextInt(8)),
                "tencent.com/gpu-assigned",
                "true")),
        node);
    state.podChanged(pod);
  }

  @Test
  void informerStoreMemory() {
    System.gc();
    long before = usedHeap();
    SlimItemStore<Pod> store = new SlimItemStore<>(meta ->
        new io.fabric8.kubernetes.api.model.PodBuilder().withMetadata(meta).build());
    for (int i = 0; i < 150_000; i++) {
      Pod pod = Fixtures.pod("pod-" + i, VGPU, new int[] {10, 1});
      pod.getMetadata().setResourceVersion(Integer.toString(1_000_000 + i));
      store.put(store.getKey(pod), pod);
    }
    System.gc();
    System.out.printf(
        "informer store pods=%d heap=%.1fMiB%n", store.size(), (usedHeap() - before) / 1048576.0);
  }

  private static void round(Extender extender, WireFormat wire, byte[] request) {
    ExtenderArgs args = wire.readArgs(request);
    byte[] filtered = wire.writeFilter(args, extender.filter(args));
    byte[] scored = wire.writePriorities(extender.prioritize(wire.readArgs(request)));
    if (filtered.length == 0 || scored.length == 0) {
      throw new AssertionError();
    }
  }

  private static String toJson(String[] names) {
    return "[\"" + String.join("\",\"", List.of(names)) + "\"]";
  }

  private static long usedHeap() {
    Runtime runtime = Runtime.getRuntime();
    return runtime.totalMemory() - runtime.freeMemory();
  }
}
