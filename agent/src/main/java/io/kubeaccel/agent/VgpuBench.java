package io.kubeaccel.agent;

import io.kubeaccel.core.server.AllocationObserver;
import io.kubeaccel.core.sharing.PlacementPolicy;
import io.kubeaccel.nvml.fake.FakeGpu;
import io.kubeaccel.proto.deviceplugin.v1beta1.ListAndWatchResponse;
import io.kubeaccel.testkit.PodRef;
import io.kubeaccel.testkit.RegisteredPlugin;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code bench --mode vgpu}: the vGPU agent on a simulated 8 x H100 80 GB node, {@code pods} share pods admitted one
 * after the other (after a warm-up round of as many, which then end) (each container's two Allocates, PodResources lookup and checkpoint write included), then a health
 * change sent to the kubelet as the full list of several thousand devices. The agent runs in this process (it needs
 * the in-memory Kubernetes API); every call still crosses the real unix sockets.
 */
final class VgpuBench {

  private VgpuBench() {}

  /** Rounds of {@code pods} pods; the last one is measured. */
  private static final int ROUNDS = 2;

  /** Allocate handling times inside the agent, by resource. */
  private static final class Timings implements AllocationObserver {
    final Map<String, List<Double>> millis = new ConcurrentHashMap<>();

    @Override
    public void allocated(String resource, long nanos) {
      millis.computeIfAbsent(resource, r -> new CopyOnWriteArrayList<>()).add(nanos / 1_000_000.0);
    }

    @Override
    public void rejected(String resource) {}
  }

  static int run(PrintWriter out, int pods) throws IOException {
    Timings timings = new Timings();
    try (SimulatedNode node = SimulatedNode.create(NodePreset.HGX_H100);
        VgpuTestbed bed = new VgpuTestbed(node, PlacementPolicy.BINPACK)) {
      bed.startAgent(timings);
      RegisteredPlugin cores = bed.kubelet.awaitRegistration(VgpuTestbed.CORE, VgpuTestbed.WAIT);
      RegisteredPlugin memory = bed.kubelet.awaitRegistration(VgpuTestbed.MEMORY, VgpuTestbed.WAIT);
      int devices = cores.devices().size() + memory.devices().size();
      double[] admissions = new double[pods];
      // A warm-up round whose pods then end (the kubelet frees their devices, the API server
      // deletes them), so the measured round runs on compiled code and reused capacity, as a
      // node that has been up a while does.
      for (int round = 0; round < ROUNDS; round++) {
        timings.millis.clear();
        List<PodRef> admitted = new ArrayList<>();
        for (int i = 0; i < pods; i++) {
          PodRef pod = bed.pod("bench-" + round + "-" + i, Map.of(), 5 + i % 3, 16 + 4 * (i % 4));
          long start = System.nanoTime();
          bed.admit(pod, 5 + i % 3, 16 + 4 * (i % 4));
          admissions[i] = (System.nanoTime() - start) / 1_000_000.0;
          admitted.add(pod);
        }
        if (round < ROUNDS - 1) {
          admitted.forEach(bed::end);
        }
      }
      FakeGpu card = node.nvml().inventory().gpus().get(7);
      long injected = System.nanoTime();
      node.nvml().injectXid(card.uuid(), 79);
      memory.awaitDevices(
          list -> list.stream()
              .anyMatch(d -> d.getID().startsWith(card.uuid()) && !d.getHealth().equals("Healthy")),
          VgpuTestbed.WAIT);
      double listMs = SimulateCommand.ms(injected, memory.lastUpdateNanos());
      int listBytes = ListAndWatchResponse.newBuilder()
          .addAllDevices(memory.devices())
          .build()
          .getSerializedSize();
      out.printf(
          "kubeaccel bench --mode vgpu: 8 x H100 80GB (simulated), %d devices advertised, %d share pods,"
              + " agent in this process, measured after a warm-up round%n",
          devices, pods);
      print(
          out,
          "Allocate " + VgpuTestbed.CORE + " (first of two, inside the agent)",
          timings.millis.get(VgpuTestbed.CORE));
      print(
          out,
          "Allocate " + VgpuTestbed.MEMORY
              + " (second: PodResources + placement + checkpoint fsync)",
          timings.millis.get(VgpuTestbed.MEMORY));
      print(
          out,
          "admission of a container as the kubelet stand-in sees it (both calls)",
          toList(admissions));
      out.printf(
          "  XID -> the kubelet has the new %s list of %d devices (%d KiB): %.1f ms%n",
          VgpuTestbed.MEMORY, memory.devices().size(), listBytes / 1024, listMs);
      out.printf("  grants in the ledger: %d%n", bed.cards.ledger().grants().size());
      return bed.cards.ledger().grants().size() == pods ? 0 : 1;
    }
  }

  private static List<Double> toList(double[] values) {
    List<Double> list = new ArrayList<>(values.length);
    for (double value : values) {
      list.add(value);
    }
    return list;
  }

  private static void print(PrintWriter out, String what, List<Double> samples) {
    double[] values = samples.stream().mapToDouble(Double::doubleValue).toArray();
    out.printf("  %-88s %s%n", what, BenchCommand.summary(values, 2));
  }
}
