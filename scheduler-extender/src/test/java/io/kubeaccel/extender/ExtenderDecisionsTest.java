package io.kubeaccel.extender;

import static io.kubeaccel.extender.Families.MPS;
import static io.kubeaccel.extender.Families.VGPU;
import static io.kubeaccel.extender.Fixtures.Card;
import static io.kubeaccel.extender.Fixtures.annotated;
import static io.kubeaccel.extender.Fixtures.bound;
import static io.kubeaccel.extender.Fixtures.node;
import static io.kubeaccel.extender.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubeaccel.core.sharing.PlacementPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The verbs' decisions over a ClusterState fed as the informers would feed it, with an in-memory API. */
class ExtenderDecisionsTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2024-05-02T09:00:00Z"));
  private ClusterState state;
  private RecordingPodApi api;

  @BeforeEach
  void setUp() {
    state = new ClusterState(clock, Duration.ofMinutes(5));
    api = new RecordingPodApi();
  }

  private Extender extender(AssignAt at) {
    return new Extender(
        state,
        api,
        ExtenderSettings.defaults(0).withAssignAt(at),
        new ExtenderMetrics(),
        () -> true);
  }

  private static ExtenderArgs args(Pod pod, String... nodes) {
    return new ExtenderArgs(pod, List.of(nodes), null, null);
  }

  @Test
  void aNodeWithTwoCardsOfSixtyFreeCoresFailsEightyWithTheReasonAndPassesFifty() {
    state.nodeChanged(node("gpu-a", VGPU, Card.used(0, 40, 8), Card.used(1, 40, 8)));

    FilterResult eighty =
        extender(AssignAt.BIND).filter(args(pod("big", VGPU, new int[] {80, 8}), "gpu-a"));
    FilterResult fifty =
        extender(AssignAt.BIND).filter(args(pod("small", VGPU, new int[] {50, 8}), "gpu-a"));

    assertThat(eighty.passing()).isEmpty();
    assertThat(eighty.failed())
        .containsExactly(
            Map.entry(
                "gpu-a",
                "container c0: no single GPU has 80 free tencent.com/vcuda-core and 8 free"
                    + " tencent.com/vcuda-memory; best: GPU 0 with 60/100 cores and 56/64 memory units free"));
    assertThat(eighty.unresolvable()).isEmpty();
    assertThat(fifty.passing()).containsExactly("gpu-a");
    assertThat(fifty.failed()).isEmpty();
  }

  @Test
  void theContainersOfOnePodAreFittedTogether() {
    state.nodeChanged(node("gpu-a", VGPU, Card.used(0, 40, 8), Card.used(1, 40, 8)));
    Extender extender = extender(AssignAt.BIND);

    FilterResult two =
        extender.filter(args(pod("two", VGPU, new int[] {50, 4}, new int[] {50, 4}), "gpu-a"));
    FilterResult three = extender.filter(
        args(pod("three", VGPU, new int[] {50, 4}, new int[] {50, 4}, new int[] {20, 1}), "gpu-a"));

    assertThat(two.passing()).containsExactly("gpu-a");
    assertThat(three.failed().get("gpu-a")).startsWith("container c2: no single GPU has 20 free");
  }

  @Test
  void wholeCardsTakeIdleCardsInIndexOrder() {
    state.nodeChanged(
        node("gpu-a", VGPU, Card.used(0, 30, 4), Card.free(1, "T4"), Card.free(2, "T4")));
    Pod pod = pod("whole", VGPU, new int[] {200, 0});
    api.put(pod);

    String error =
        extender(AssignAt.BIND).bind(new BindingArgs("whole", "ml", "uid-whole", "gpu-a"));
    FilterResult three =
        extender(AssignAt.BIND).filter(args(pod("three", VGPU, new int[] {300, 0}), "gpu-a"));

    assertThat(error).isEmpty();
    assertThat(api.pods.get("ml/whole").getMetadata().getAnnotations())
        .containsEntry("tencent.com/predicate-gpu-idx-0", "1,2");
    assertThat(three.failed().get("gpu-a"))
        .isEqualTo("container c0: tencent.com/vcuda-core 300 asks for 3 whole GPU(s); 0 of 3 are"
            + " healthy and unshared");
  }

  @Test
  void nodeBinpackScoresTheFullerNodeHigherAndSpreadTheEmptier() {
    state.nodeChanged(node("full", VGPU, Card.used(0, 80, 48), Card.used(1, 0, 0)));
    state.nodeChanged(node("empty", VGPU, Card.free(0, "T4"), Card.free(1, "T4")));
    Pod binpack = pod("b", VGPU, new int[] {20, 4});
    Pod spread = pod("s", VGPU, Map.of(PodRequest.NODE_POLICY, "spread"), new int[] {20, 4});

    List<HostPriority> packed = extender(AssignAt.BIND).prioritize(args(binpack, "full", "empty"));
    List<HostPriority> spreadOut =
        extender(AssignAt.BIND).prioritize(args(spread, "full", "empty"));

    // full: (100+20)/200 cores, (48+4)/128 memory -> 5; empty: 20/200, 4/128 -> 1
    assertThat(packed).containsExactly(new HostPriority("full", 5), new HostPriority("empty", 1));
    assertThat(spreadOut)
        .containsExactly(new HostPriority("full", 5), new HostPriority("empty", 9));
  }

  @Test
  void theCardPolicyPicksTheCardAtBind() {
    state.nodeChanged(node("gpu-a", VGPU, Card.used(0, 70, 8), Card.used(1, 10, 8)));
    Pod packed = pod("packed", VGPU, new int[] {20, 4});
    Pod spread = pod("spread", VGPU, Map.of(PodRequest.CARD_POLICY, "spread"), new int[] {20, 4});
    api.put(packed);
    api.put(spread);

    extender(AssignAt.BIND).bind(new BindingArgs("packed", "ml", "uid-packed", "gpu-a"));
    extender(AssignAt.BIND).bind(new BindingArgs("spread", "ml", "uid-spread", "gpu-a"));

    assertThat(api.pods.get("ml/packed").getMetadata().getAnnotations())
        .containsEntry("tencent.com/predicate-gpu-idx-0", "0");
    assertThat(api.pods.get("ml/spread").getMetadata().getAnnotations())
        .containsEntry("tencent.com/predicate-gpu-idx-0", "1");
  }

  @Test
  void modelAnnotationsIncludeAndExcludeCardsBySubstring() {
    state.nodeChanged(
        node("mixed", VGPU, Card.free(0, "Tesla T4"), Card.free(1, "NVIDIA A100-SXM4-40GB")));
    Pod a100 = pod("a100", VGPU, Map.of(ModelFilter.INCLUDE, "h100, A100"), new int[] {20, 4});
    Pod notA100 = pod("t4", VGPU, Map.of(ModelFilter.EXCLUDE, "a100"), new int[] {20, 4});
    Pod h100 = pod("h100", VGPU, Map.of(ModelFilter.INCLUDE, "H100"), new int[] {20, 4});
    api.put(a100);
    api.put(notA100);

    extender(AssignAt.BIND).bind(new BindingArgs("a100", "ml", "uid-a100", "mixed"));
    extender(AssignAt.BIND).bind(new BindingArgs("t4", "ml", "uid-t4", "mixed"));
    FilterResult none = extender(AssignAt.BIND).filter(args(h100, "mixed"));

    assertThat(api.pods.get("ml/a100").getMetadata().getAnnotations())
        .containsEntry("tencent.com/predicate-gpu-idx-0", "1");
    assertThat(api.pods.get("ml/t4").getMetadata().getAnnotations())
        .containsEntry("tencent.com/predicate-gpu-idx-0", "0");
    assertThat(none.unresolvable())
        .containsExactly(Map.entry(
            "mixed",
            "no GPU model matches kubeaccel.io/gpu-model=\"h100\"; the node has 1 x NVIDIA"
                + " A100-SXM4-40GB, 1 x Tesla T4"));
  }

  @Test
  void nodesWithoutCapacityOrOfAnotherFamilyCanNeverFit() {
    state.nodeChanged(Fixtures.plainNode("cpu-1"));
    state.nodeChanged(node("mps-1", MPS, Card.free(0, "T4")));

    FilterResult result = extender(AssignAt.BIND)
        .filter(args(pod("p", VGPU, new int[] {10, 1}), "cpu-1", "mps-1", "ghost"));

    assertThat(result.unresolvable())
        .containsEntry(
            "cpu-1",
            "no kubeaccel.io/gpus annotation: no vgpu or mps agent publishes GPUs on this node")
        .containsEntry(
            "mps-1", "the node serves nvidia.com/mps-core (mode mps), not tencent.com/vcuda-core");
    assertThat(result.failed()).containsEntry("ghost", "the extender has not seen this Node (yet)");
  }

  @Test
  void podsWithoutSharesPassAndBadPodsFailEverywhere() {
    state.nodeChanged(node("gpu-a", VGPU, Card.free(0, "T4")));
    Pod cpuOnly = pod("cpu", VGPU);
    Pod both = pod("both", VGPU, new int[] {10, 1});
    both.getSpec()
        .getContainers()
        .get(0)
        .getResources()
        .getLimits()
        .put("nvidia.com/mps-core", new io.fabric8.kubernetes.api.model.Quantity("10"));
    Pod badPolicy = pod("bad", VGPU, Map.of(PodRequest.CARD_POLICY, "tightly"), new int[] {10, 1});

    assertThat(extender(AssignAt.BIND).filter(args(cpuOnly, "gpu-a")).passing())
        .containsExactly("gpu-a");
    assertThat(extender(AssignAt.BIND).filter(args(both, "gpu-a")).unresolvable())
        .containsExactly(
            Map.entry(
                "gpu-a",
                "pod asks for both tencent.com/vcuda-core and nvidia.com/mps-core; a pod gets shares of one kind only"));
    assertThat(extender(AssignAt.BIND).filter(args(badPolicy, "gpu-a")).unresolvable())
        .containsExactly(Map.entry(
            "gpu-a",
            "annotation kubeaccel.io/card-policy: \"tightly\" is not one of: binpack, spread"));
  }

  @Test
  void podsAlreadyOnTheNodeCountWhetherTheAgentPlacedThemOrNot() {
    state.nodeChanged(node("gpu-a", VGPU, Card.free(0, "T4"), Card.free(1, "T4")));
    // Placed by this extender on card 0, bound, not yet allocated.
    state.podChanged(bound(
        annotated(
            pod("placed", VGPU, new int[] {60, 8}),
            Map.of(
                "tencent.com/predicate-gpu-idx-0", "0",
                "tencent.com/predicate-node", "gpu-a",
                "tencent.com/predicate-time", Long.toString(state.nowNanos()),
                "tencent.com/gpu-assigned", "false")),
        "gpu-a"));
    // Bound without the extender: the agent will binpack it, onto card 0 (the fullest that fits).
    state.podChanged(bound(pod("unplaced", VGPU, new int[] {30, 8}), "gpu-a"));

    FilterResult twenty =
        extender(AssignAt.BIND).filter(args(pod("twenty", VGPU, new int[] {20, 8}), "gpu-a"));
    FilterResult aCard =
        extender(AssignAt.BIND).filter(args(pod("card", VGPU, new int[] {100, 0}), "gpu-a"));
    FilterResult cards =
        extender(AssignAt.BIND).filter(args(pod("cards", VGPU, new int[] {200, 0}), "gpu-a"));

    assertThat(twenty.passing()).containsExactly("gpu-a");
    assertThat(aCard.passing()).containsExactly("gpu-a");
    assertThat(cards.failed().get("gpu-a")).contains("1 of 2 are healthy and unshared");
  }

  @Test
  void theAgentsPublishedUseAndThePodsOnTheNodeAreNotAddedUp() {
    // The agent reports 60 cores used on card 0; the informer shows the very pod that holds them.
    state.nodeChanged(node("gpu-a", VGPU, Card.used(0, 60, 8)));
    state.podChanged(bound(
        annotated(
            pod("held", VGPU, new int[] {60, 8}),
            Map.of("tencent.com/predicate-gpu-idx-0", "0", "tencent.com/gpu-assigned", "true")),
        "gpu-a"));

    assertThat(extender(AssignAt.BIND)
            .filter(args(pod("p", VGPU, new int[] {40, 8}), "gpu-a"))
            .passing())
        .containsExactly("gpu-a");
    assertThat(extender(AssignAt.BIND)
            .filter(args(pod("q", VGPU, new int[] {41, 8}), "gpu-a"))
            .passing())
        .isEmpty();
  }

  @Test
  void bindWritesTheAssignmentAnnotationsAndThenTheBinding() {
    state.nodeChanged(node("gpu-a", VGPU, Card.free(0, "T4"), Card.free(1, "T4")));
    api.put(pod("train", VGPU, new int[] {50, 16}, new int[] {0, 0}, new int[] {200, 0}));
    clock.set(Instant.ofEpochSecond(1_714_640_400L, 123_456_789));

    String error =
        extender(AssignAt.BIND).bind(new BindingArgs("train", "ml", "uid-train", "gpu-a"));

    assertThat(error)
        .isEqualTo("node gpu-a: container c2: tencent.com/vcuda-core 200 asks for 2 whole GPU(s);"
            + " 1 of 2 are healthy and unshared");
    api.put(pod("train", VGPU, new int[] {50, 16}, new int[] {0, 0}, new int[] {100, 0}));
    assertThat(extender(AssignAt.BIND).bind(new BindingArgs("train", "ml", "uid-train", "gpu-a")))
        .isEmpty();
    assertThat(api.calls())
        .containsSubsequence(
            "get ml/train",
            "annotate train {tencent.com/gpu-assigned=false, tencent.com/predicate-gpu-idx-0=0,"
                + " tencent.com/predicate-gpu-idx-2=1, tencent.com/predicate-node=gpu-a,"
                + " tencent.com/predicate-time=1714640400123456789}",
            "bind train gpu-a");
    assertThat(api.bindings).containsEntry("ml/train", "gpu-a");
    assertThat(state.reservationCount()).isEqualTo(1);
  }

  @Test
  void mpsPodsAreAnnotatedUnderTheProjectsPrefix() {
    state.nodeChanged(node("mps-1", MPS, Card.free(0, "A100"), Card.free(1, "A100")));
    api.put(pod("mps", MPS, new int[] {30, 5}));

    assertThat(extender(AssignAt.BIND).bind(new BindingArgs("mps", "ml", "uid-mps", "mps-1")))
        .isEmpty();
    assertThat(api.pods.get("ml/mps").getMetadata().getAnnotations())
        .containsEntry("mps.kubeaccel.io/predicate-gpu-idx-0", "0")
        .containsEntry("mps.kubeaccel.io/predicate-node", "mps-1")
        .containsEntry("mps.kubeaccel.io/gpu-assigned", "false")
        .containsKey("mps.kubeaccel.io/predicate-time");
  }

  @Test
  void aGrantCountsUntilThePodComesBackAndNotTwice() {
    state.nodeChanged(node("gpu-a", VGPU, Card.free(0, "T4")));
    api.put(pod("first", VGPU, new int[] {60, 8}));
    Extender extender = extender(AssignAt.BIND);

    extender.bind(new BindingArgs("first", "ml", "uid-first", "gpu-a"));
    boolean secondFitsWhileReserved = extender
        .filter(args(pod("second", VGPU, new int[] {50, 8}), "gpu-a"))
        .passing()
        .contains("gpu-a");
    state.podChanged(bound(api.pods.get("ml/first"), "gpu-a")); // the informer catches up
    boolean fortyFitsAfter = extender
        .filter(args(pod("third", VGPU, new int[] {40, 8}), "gpu-a"))
        .passing()
        .contains("gpu-a");

    assertThat(secondFitsWhileReserved).isFalse();
    assertThat(state.reservationCount()).isZero();
    assertThat(fortyFitsAfter).isTrue();
  }

  @Test
  void aFailedBindingReleasesItsGrantAndAnExpiredGrantIsForgotten() {
    state.nodeChanged(node("gpu-a", VGPU, Card.free(0, "T4")));
    api.put(pod("first", VGPU, new int[] {60, 8}));
    api.put(pod("second", VGPU, new int[] {60, 8}));
    api.failBind = "cannot bind pod ml/first to gpu-a: http=500 boom";
    Extender extender = extender(AssignAt.BIND);

    String failed = extender.bind(new BindingArgs("first", "ml", "uid-first", "gpu-a"));
    api.failBind = null;
    String second = extender.bind(new BindingArgs("second", "ml", "uid-second", "gpu-a"));
    clock.advance(Duration.ofMinutes(6));
    boolean fitsAfterTtl = extender
        .filter(args(pod("third", VGPU, new int[] {60, 8}), "gpu-a"))
        .passing()
        .contains("gpu-a");

    assertThat(failed).isEqualTo("cannot bind pod ml/first to gpu-a: http=500 boom");
    assertThat(api.calls()).contains("unannotate first");
    assertThat(second).isEmpty();
    assertThat(fitsAfterTtl).isTrue();
    assertThat(state.reservationCount()).isZero();
  }

  @Test
  void filterOnlyKeepsTheBestNodeAndAnnotatesThePod() {
    state.nodeChanged(node("a", VGPU, Card.used(0, 50, 8)));
    state.nodeChanged(node("b", VGPU, Card.used(0, 10, 8)));
    state.nodeChanged(node("c", VGPU, Card.used(0, 90, 8)));
    Pod pod = pod("p", VGPU, new int[] {30, 8});

    FilterResult result = extender(AssignAt.FILTER).filter(args(pod, "a", "b", "c"));

    assertThat(result.passing()).containsExactly("a");
    assertThat(result.failed())
        .containsEntry("b", "pod ml/p has already been matched to node a")
        .containsKey("c");
    assertThat(api.calls())
        .singleElement()
        .asString()
        .startsWith("annotate p {tencent.com/gpu-assigned=false, tencent.com/predicate-gpu-idx-0=0,"
            + " tencent.com/predicate-node=a, tencent.com/predicate-time=");
    assertThat(state.reservationCount()).isEqualTo(1);
  }

  @Test
  void filterOnlyReusesItsChoiceWhenABindVerbFollows() {
    state.nodeChanged(node("a", VGPU, Card.free(0, "T4")));
    Pod pod = pod("p", VGPU, new int[] {30, 8});
    api.put(pod);
    Extender extender = extender(AssignAt.FILTER);

    extender.filter(args(pod, "a"));
    String error = extender.bind(new BindingArgs("p", "ml", "uid-p", "a"));

    assertThat(error).isEmpty();
    assertThat(api.calls()).filteredOn(c -> c.startsWith("annotate")).hasSize(1);
    assertThat(api.bindings).containsEntry("ml/p", "a");
  }

  @Test
  void aNewSchedulingAttemptVoidsThePodsEarlierGrant() {
    state.nodeChanged(node("a", VGPU, Card.free(0, "T4")));
    Pod pod = pod("p", VGPU, new int[] {80, 8});
    Extender extender = extender(AssignAt.FILTER);

    FilterResult first = extender.filter(args(pod, "a"));
    FilterResult retry = extender.filter(args(pod, "a"));

    assertThat(first.passing()).containsExactly("a");
    assertThat(retry.passing()).containsExactly("a");
    assertThat(state.reservationCount()).isEqualTo(1);
  }

  @Test
  void anUnsyncedCacheAnswersWithAnError() {
    Extender extender =
        new Extender(state, api, ExtenderSettings.defaults(0), new ExtenderMetrics(), () -> false);

    assertThat(extender.filter(args(pod("p", VGPU, new int[] {10, 1}), "a")).error())
        .isEqualTo("the extender's node and pod caches have not synced with the API server yet");
  }

  @Test
  void theNodePolicyDefaultsToTheClustersSetting() {
    state.nodeChanged(node("full", VGPU, Card.used(0, 80, 48)));
    state.nodeChanged(node("empty", VGPU, Card.free(0, "T4")));
    Extender spread = new Extender(
        state,
        api,
        ExtenderSettings.defaults(0).withPolicies(PlacementPolicy.SPREAD, PlacementPolicy.BINPACK),
        new ExtenderMetrics(),
        () -> true);

    assertThat(spread.prioritize(args(pod("p", VGPU, new int[] {10, 1}), "full", "empty")))
        .containsExactly(new HostPriority("full", 2), new HostPriority("empty", 9));
  }

  /** A clock tests move by hand. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void set(Instant value) {
      now = value;
    }

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
