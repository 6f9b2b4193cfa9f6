package io.kubeaccel.core.sharing;

import static io.kubeaccel.core.sharing.PublishedCardTest.VGPU;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kubeaccel.core.ledger.CardUse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodFitTest {

  static PublishedCard card(int index, boolean healthy, boolean mig) {
    return new PublishedCard(
        "GPU-" + index,
        index,
        "Tesla T4",
        16384,
        0,
        healthy,
        "vgpu",
        mig,
        "tencent.com/vcuda-core",
        "tencent.com/vcuda-memory",
        100,
        64,
        0,
        0,
        0,
        false);
  }

  static List<PublishedCard> cards(int n) {
    List<PublishedCard> cards = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      cards.add(card(i, true, false));
    }
    return cards;
  }

  /** A pod whose containers ask {cores, memory} each. */
  static Pod pod(int[]... containers) {
    PodBuilder pod = new PodBuilder()
        .withNewMetadata()
        .withNamespace("ns")
        .withName("p")
        .withUid("uid-p")
        .endMetadata()
        .withNewSpec()
        .endSpec();
    for (int i = 0; i < containers.length; i++) {
      Map<String, Quantity> limits = new HashMap<>();
      limits.put("tencent.com/vcuda-core", new Quantity(Integer.toString(containers[i][0])));
      if (containers[i][1] > 0) {
        limits.put("tencent.com/vcuda-memory", new Quantity(Integer.toString(containers[i][1])));
      }
      pod.editSpec()
          .addToContainers(new ContainerBuilder()
              .withName("c" + i)
              .withNewResources()
              .withLimits(limits)
              .endResources()
              .build())
          .endSpec();
    }
    return pod.build();
  }

  static PodFit.Result fit(CardPool pool, Pod pod, PlacementPolicy policy) {
    return PodFit.fit(VGPU, pool, PodFit.demands(pod, VGPU), policy);
  }

  @Test
  void twoCardsWithSixtyFreeCoresEachCannotHoldEightyButHoldFifty() {
    CardPool pool = CardPool.ofPublished(
        VGPU, cards(2), Map.of(0, new CardUse(40, 8, 1, false), 1, new CardUse(40, 8, 1, false)));

    PodFit.Result eighty = fit(pool, pod(new int[] {80, 8}), PlacementPolicy.BINPACK);
    PodFit.Result fifty = fit(pool, pod(new int[] {50, 8}), PlacementPolicy.BINPACK);

    assertThat(eighty)
        .isEqualTo(new PodFit.NoFit(
            "container c0: no single GPU has 80 free tencent.com/vcuda-core and 8 free"
                + " tencent.com/vcuda-memory; best: GPU 0 with 60/100 cores and 56/64 memory units free",
            false));
    assertThat(fifty).isInstanceOf(PodFit.Fits.class);
    assertThat(((PodFit.Fits) fifty).containers())
        .extracting(PodFit.ContainerCards::cardIndexes)
        .containsExactly(List.of(0));
  }

  @Test
  void containersOfOnePodNeverCountTheSameFreeShare() {
    CardPool pool = CardPool.ofPublished(VGPU, cards(2), Map.of());

    PodFit.Fits two = (PodFit.Fits)
        fit(pool, pod(new int[] {60, 10}, new int[] {60, 10}), PlacementPolicy.BINPACK);
    PodFit.Result three = fit(
        pool,
        pod(new int[] {60, 10}, new int[] {60, 10}, new int[] {60, 10}),
        PlacementPolicy.BINPACK);

    assertThat(two.containers())
        .extracting(PodFit.ContainerCards::cardIndexes)
        .containsExactly(List.of(0), List.of(1));
    assertThat(two.after().cards()).allSatisfy(c -> assertThat(c.freeCores()).isEqualTo(40));
    assertThat(three).isInstanceOfSatisfying(PodFit.NoFit.class, noFit -> {
      assertThat(noFit.reason()).startsWith("container c2: no single GPU has 60 free");
      assertThat(noFit.unresolvable()).isFalse();
    });
  }

  @Test
  void binpackFillsTheFullestCardAndSpreadTheEmptiest() {
    CardPool pool = CardPool.ofPublished(
        VGPU, cards(3), Map.of(1, new CardUse(50, 10, 1, false), 2, new CardUse(20, 10, 1, false)));

    assertThat(((PodFit.Fits) fit(pool, pod(new int[] {30, 4}), PlacementPolicy.BINPACK))
            .containers()
            .get(0)
            .cardIndexes())
        .containsExactly(1);
    assertThat(((PodFit.Fits) fit(pool, pod(new int[] {30, 4}), PlacementPolicy.SPREAD))
            .containers()
            .get(0)
            .cardIndexes())
        .containsExactly(0);
  }

  @Test
  void wholeCardsTakeIdleHealthyCardsInIndexOrderAndExclusively() {
    List<PublishedCard> published = new ArrayList<>(cards(4));
    published.set(1, card(1, false, false));
    CardPool pool = CardPool.ofPublished(VGPU, published, Map.of(2, new CardUse(10, 1, 1, false)));

    PodFit.Fits fits = (PodFit.Fits) fit(pool, pod(new int[] {200, 0}), PlacementPolicy.BINPACK);
    PodFit.Result more = fit(pool, pod(new int[] {300, 0}), PlacementPolicy.BINPACK);

    assertThat(fits.containers().get(0).cardIndexes()).containsExactly(0, 3);
    assertThat(fits.after().cards())
        .filteredOn(CardState::exclusive)
        .extracting(c -> c.gpu().index())
        .containsExactly(0, 3);
    assertThat(more)
        .isInstanceOfSatisfying(
            PodFit.NoFit.class,
            noFit -> assertThat(noFit.reason())
                .isEqualTo(
                    "container c0: tencent.com/vcuda-core 300 asks for 3 whole GPU(s); 2 of 4 are"
                        + " healthy and unshared"));
  }

  @Test
  void migCardsAreLeftOutAndBrokenRulesAreUnresolvable() {
    CardPool pool =
        CardPool.ofPublished(VGPU, List.of(card(0, true, true), card(1, true, false)), Map.of());

    assertThat(pool.cards()).extracting(c -> c.gpu().index()).containsExactly(1);
    assertThat(fit(pool, pod(new int[] {150, 0}), PlacementPolicy.BINPACK))
        .isInstanceOfSatisfying(PodFit.NoFit.class, noFit -> {
          assertThat(noFit.unresolvable()).isTrue();
          assertThat(noFit.reason()).contains("above 100 it must be a multiple of 100");
        });
    assertThat(fit(pool, pod(new int[] {50, 65}), PlacementPolicy.BINPACK))
        .isInstanceOfSatisfying(PodFit.NoFit.class, noFit -> {
          assertThat(noFit.unresolvable()).isTrue();
          assertThat(noFit.reason()).contains("memory must fit on one card");
        });
  }
}
