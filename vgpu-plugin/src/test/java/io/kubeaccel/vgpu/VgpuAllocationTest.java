package io.kubeaccel.vgpu;

import static io.kubeaccel.vgpu.VgpuNode.CORE;
import static io.kubeaccel.vgpu.VgpuNode.MEMORY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.core.kube.PodRef;
import io.kubeaccel.core.ledger.Grant;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.testkit.AdmissionException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** vGPU end to end: kubelet stand-in, fake NVML, in-memory Kubernetes API, real sockets and checkpoint. */
class VgpuAllocationTest {

  private VgpuNode node;
  private List<String> uuids;

  @BeforeEach
  void start() throws Exception {
    node = new VgpuNode(FakeInventory.fourGpusTwoNumaNvlinkPairs(), VgpuOptions.defaults())
        .startAgent();
    uuids = node.nvml.inventory().gpus().stream().map(g -> g.uuid()).toList();
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  @Test
  void everyCardAdvertisesHundredCoresAndItsMemoryInQuarterGibUnits() {
    assertThat(node.kubelet.awaitRegistration(CORE, VgpuNode.WAIT).devices()).hasSize(400);
    assertThat(node.kubelet.awaitRegistration(MEMORY, VgpuNode.WAIT).devices()).hasSize(4 * 160);
    assertThat(
            node.kubelet.awaitRegistration(CORE, VgpuNode.WAIT).devices().get(0).getID())
        .isEqualTo(uuids.get(0) + "-vcore-0");
  }

  @Test
  void aShareGetsOneCardWithHamiCoreLimitsWhicheverResourceComesFirst() {
    for (boolean memoryFirst : new boolean[] {false, true}) {
      PodRef pod = node.pod("share-" + memoryFirst, Map.of(), new int[] {30, 16});
      Map<String, String> envs = node.admit(pod, 0, 30, 16, memoryFirst);
      assertThat(envs)
          .containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "4096m")
          .containsEntry("CUDA_DEVICE_SM_LIMIT", "30")
          .containsEntry("CUDA_DEVICE_MEMORY_SHARED_CACHE", "/usr/local/vgpu/cache/vgpu.cache");
      assertThat(uuids).contains(envs.get("NVIDIA_VISIBLE_DEVICES"));
      assertThat(node.api.byUid(pod.uid()).orElseThrow().getMetadata().getAnnotations())
          .containsEntry("tencent.com/gpu-assigned", "true")
          .containsKey("tencent.com/predicate-gpu-idx-0");
    }
    assertThat(node.cards.ledger().grants()).hasSize(2);
  }

  @Test
  void sharesBinpackOntoTheFullestCardThatFits() {
    Map<String, String> first =
        node.admit(node.pod("a", Map.of(), new int[] {30, 16}), 0, 30, 16, false);
    Map<String, String> second =
        node.admit(node.pod("b", Map.of(), new int[] {50, 16}), 0, 50, 16, false);
    assertThat(second.get("NVIDIA_VISIBLE_DEVICES")).isEqualTo(first.get("NVIDIA_VISIBLE_DEVICES"));
    Map<String, String> third =
        node.admit(node.pod("c", Map.of(), new int[] {40, 16}), 0, 40, 16, false);
    assertThat(third.get("NVIDIA_VISIBLE_DEVICES"))
        .isNotEqualTo(first.get("NVIDIA_VISIBLE_DEVICES"));
  }

  @Test
  void wholeCardsAreExclusiveTopologyAwareAndCarryNoLimits() {
    Map<String, String> envs =
        node.admit(node.pod("big", Map.of(), new int[] {200, 0}), 0, 200, 0, false);
    assertThat(envs).doesNotContainKeys("CUDA_DEVICE_MEMORY_LIMIT_0", "CUDA_DEVICE_SM_LIMIT");
    List<String> cards = List.of(envs.get("NVIDIA_VISIBLE_DEVICES").split(","));
    assertThat(cards).hasSize(2);
    // The NVLink pairs of this node are 0-1 and 2-3.
    assertThat(List.of(List.of(uuids.get(0), uuids.get(1)), List.of(uuids.get(2), uuids.get(3))))
        .anySatisfy(pair -> assertThat(cards).containsExactlyInAnyOrderElementsOf(pair));
    Map<String, String> share =
        node.admit(node.pod("small", Map.of(), new int[] {10, 4}), 0, 10, 4, false);
    assertThat(cards).doesNotContain(share.get("NVIDIA_VISIBLE_DEVICES"));
  }

  @Test
  void invalidRequestsAreRefusedWithTheRuleAndChangeNothing() {
    expectRefused(
        node.pod("odd", Map.of(), new int[] {150, 0}),
        150,
        0,
        "tencent.com/vcuda-core 150 is invalid: above 100 it must be a multiple of 100");
    expectRefused(
        node.pod("nomem", Map.of(), new int[] {30, 0}),
        30,
        0,
        "asks 30 tencent.com/vcuda-core without tencent.com/vcuda-memory");
    expectRefused(
        node.pod("huge", Map.of(), new int[] {30, 200}),
        30,
        200,
        "tencent.com/vcuda-memory 200 is invalid: more than one GPU's 160 units");
    assertThat(node.cards.ledger().grants()).isEmpty();
  }

  @Test
  void aShareThatFitsNoCardIsRefusedNamingTheBestCard() {
    for (int i = 0; i < 4; i++) {
      node.admit(node.pod("fill" + i, Map.of(), new int[] {80, 16}), 0, 80, 16, false);
    }
    expectRefused(
        node.pod("late", Map.of(), new int[] {40, 16}),
        40,
        16,
        "no single GPU has 40 free tencent.com/vcuda-core and 16 free tencent.com/vcuda-memory; best: GPU");
    assertThat(node.cards.ledger().grants()).hasSize(4);
  }

  @Test
  void twoPendingPodsWithIdenticalRequestsGetTheCardsTheExtenderChoseInEitherOrder() {
    identicalPodsGetTheirAnnotatedCards(2, new Random(1));
  }

  @Test
  void twentyPendingPodsWithIdenticalRequestsGetTheCardsTheExtenderChoseInAnyOrder() {
    identicalPodsGetTheirAnnotatedCards(20, new Random(20));
  }

  private void identicalPodsGetTheirAnnotatedCards(int count, Random random) {
    List<PodRef> pods = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      pods.add(node.pod("same-" + i, VgpuNode.assigned(i % 4, 1_000L + i), new int[] {20, 8}));
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      order.add(i);
    }
    Collections.shuffle(order, random);
    for (int i : order) {
      Map<String, String> envs = node.admit(pods.get(i), 0, 20, 8, random.nextBoolean());
      assertThat(envs.get("NVIDIA_VISIBLE_DEVICES"))
          .as("pod same-%d", i)
          .isEqualTo(uuids.get(i % 4));
    }
  }

  @Test
  void noCardIsEverOverbookedOverThousandsOfRandomAllocationsAndReleases() {
    Random random = new Random(42);
    List<PodRef> live = new ArrayList<>();
    for (int step = 0; step < 1500; step++) {
      if (!live.isEmpty() && random.nextInt(3) == 0) {
        PodRef gone = live.remove(random.nextInt(live.size()));
        node.kubelet.release(gone.uid());
        node.api.delete(gone.uid());
      } else {
        boolean whole = random.nextInt(10) == 0;
        int cores = whole ? 100 * (1 + random.nextInt(2)) : 5 * (1 + random.nextInt(19));
        int memory = whole ? 0 : 1 + random.nextInt(80);
        PodRef pod = node.pod("p" + step, Map.of(), new int[] {cores, memory});
        List<Grant> before = node.cards.ledger().grants();
        try {
          node.admit(pod, 0, cores, memory, random.nextBoolean());
          live.add(pod);
        } catch (AdmissionException e) {
          assertThat(node.cards.ledger().grants())
              .as("a refused pod changes nothing")
              .isEqualTo(before);
          node.kubelet.release(pod.uid());
          node.api.delete(pod.uid());
        }
      }
      node.cards.ledger().useByCard().forEach((card, use) -> {
        assertThat(use.cores()).as("cores of %s", card).isLessThanOrEqualTo(100);
        assertThat(use.memoryUnits()).as("memory of %s", card).isLessThanOrEqualTo(160);
        if (use.exclusive()) {
          assertThat(use.containers()).as("holders of exclusive %s", card).isEqualTo(1);
        }
      });
    }
  }

  private void expectRefused(PodRef pod, int cores, int memory, String message) {
    assertThatThrownBy(() -> node.admit(pod, 0, cores, memory, false))
        .isInstanceOf(AdmissionException.class)
        .hasMessageContaining("INVALID_ARGUMENT")
        .hasMessageContaining(message);
    node.kubelet.release(pod.uid());
    node.api.delete(pod.uid());
  }
}
