package io.kubeaccel.agent;

import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.ledger.CardUse;
import io.kubeaccel.core.server.AllocationObserver;
import io.kubeaccel.core.sharing.PlacementPolicy;
import io.kubeaccel.testkit.AdmissionException;
import io.kubeaccel.testkit.PodRef;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;

/**
 * {@code simulate --mode vgpu}: the vGPU agent on a simulated node, with the kubelet stand-in (and its PodResources)
 * and an in-memory Kubernetes API holding the pods; shows slices being handed out, the extender's choices honoured,
 * refusals, releases and a restart.
 */
final class VgpuSimulation implements AutoCloseable {

  private static final Duration WAIT = VgpuTestbed.WAIT;
  private static final String CORE = VgpuTestbed.CORE;
  private static final String MEMORY = VgpuTestbed.MEMORY;

  private final PrintWriter out;
  private final VgpuTestbed bed;

  VgpuSimulation(PrintWriter out, SimulatedNode node, PlacementPolicy placement)
      throws IOException {
    this.out = out;
    this.bed = new VgpuTestbed(node, placement);
  }

  void run() throws IOException {
    bed.startAgent(AllocationObserver.NONE);
    Inventory inventory = bed.agent.inventory().current();
    out.printf(
        "%nvGPU agent registered %s (%d devices) and %s (%d devices): 100 cores and memory/256 MiB per"
            + " card%n",
        CORE,
        bed.kubelet.awaitRegistration(CORE, WAIT).devices().size(),
        MEMORY,
        bed.kubelet.awaitRegistration(MEMORY, WAIT).devices().size());
    out.printf("%nBad requests (refused, nothing recorded):%n");
    refuse(pod("odd", Map.of(), 150, 0), 150, 0);
    refuse(pod("no-memory", Map.of(), 30, 0), 30, 0);
    refuse(pod("too-big", Map.of(), 30, 200), 30, 200);
    int three = inventory.gpus().get(3).index();
    int two = inventory.gpus().get(2).index();
    out.printf(
        "%nThe extender's choices (two pods asking the same, annotated for GPU %d and GPU %d, admitted in"
            + " the opposite order):%n",
        three, two);
    PodRef first = pod("same-1", assigned(three, 1), 20, 8);
    PodRef second = pod("same-2", assigned(two, 2), 20, 8);
    admit(second, 20, 8);
    admit(first, 20, 8);
    out.printf("%nShares the agent places itself (binpack: the fullest card that fits):%n");
    admit(pod("notebook-a", Map.of(), 30, 16), 30, 16);
    admit(pod("notebook-b", Map.of(), 50, 32), 50, 32);
    out.printf("%nWhole cards (200 cores = two idle cards, exclusive, NVLink-aware, no limits):%n");
    admit(pod("trainer", Map.of(), 200, 0), 200, 0);
    printCapacity();
    int before = bed.cards.ledger().grants().size();
    out.printf("%nRelease: notebook-a ends; its share is free at once%n");
    bed.end(new PodRef("uid-notebook-a", "ml", "notebook-a"));
    out.printf("  grants %d -> %d%n", before, bed.cards.ledger().grants().size());
    out.printf("%nAgent restart (checkpoint read back, reconciled with PodResources):%n");
    bed.stopAgent();
    bed.startAgent(AllocationObserver.NONE);
    out.printf(
        "  %d grants after the restart, as before%n",
        bed.cards.ledger().grants().size());
    if (bed.cards.ledger().grants().size() != before - 1) {
      throw new IllegalStateException("grants changed across the restart");
    }
    printCapacity();
  }

  private PodRef pod(String name, Map<String, String> annotations, int cores, int memory) {
    return bed.pod(name, annotations, cores, memory);
  }

  private static Map<String, String> assigned(int card, long time) {
    return VgpuTestbed.assigned(card, time);
  }

  private void admit(PodRef pod, int cores, int memory) {
    Map<String, String> envs = bed.admit(pod, cores, memory);
    out.printf(
        "  %s asks %d cores, %d x 256 MiB -> GPU %s%n",
        pod.name(), cores, memory, indexesOf(envs.get("NVIDIA_VISIBLE_DEVICES")));
    envs.forEach((key, value) -> out.printf("    env %s=%s%n", key, value));
  }

  private void refuse(PodRef pod, int cores, int memory) {
    try {
      admit(pod, cores, memory);
      throw new IllegalStateException(pod.name() + " was admitted");
    } catch (AdmissionException e) {
      String message = e.getMessage();
      int status = message.indexOf("INVALID_ARGUMENT");
      out.printf(
          "  %s (%d cores, %d memory) -> %s%n",
          pod.name(), cores, memory, status >= 0 ? message.substring(status) : message);
      bed.end(pod);
    }
  }

  private String indexesOf(String uuids) {
    StringBuilder indexes = new StringBuilder();
    for (String uuid : uuids.split(",")) {
      for (Gpu gpu : bed.agent.inventory().current().gpus()) {
        if (gpu.uuid().equals(uuid)) {
          indexes.append(indexes.length() == 0 ? "" : ",").append(gpu.index());
        }
      }
    }
    return indexes.toString();
  }

  private void printCapacity() {
    out.printf(
        "%nPer-card use (published on the Node as kubeaccel.io/gpus for the scheduler extender):%n");
    Map<String, CardUse> use = bed.cards.ledger().useByCard();
    for (Gpu gpu : bed.agent.inventory().current().gpus()) {
      CardUse used = use.getOrDefault(gpu.uuid(), new CardUse(0, 0, 0, false));
      out.printf(
          "  GPU %d: %3d/100 cores, %3d/%d memory units, %d container(s)%s%n",
          gpu.index(),
          used.cores(),
          used.memoryUnits(),
          bed.options.family().memoryUnitsOf(gpu.memoryBytes()),
          used.containers(),
          used.exclusive() ? " (whole card)" : "");
    }
    if (!bed.api.nodeAnnotations().containsKey("kubeaccel.io/gpus")) {
      throw new IllegalStateException("capacity annotation not published");
    }
  }

  @Override
  public void close() {
    bed.close();
  }
}
