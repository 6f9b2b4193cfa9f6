package io.kubeaccel.core.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random sequences of record, release and replaceAll against a plain map as the model: after every step the ledger,
 * and the ledger reopened from its checkpoint, equal the model (content, order and per-card sums).
 */
class LedgerModelTest {

  private static final int STEPS = 400;
  private static final int CARDS = 4;

  @TempDir
  Path dir;

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void everyStepLeavesTheLedgerAndItsCheckpointEqualToTheModel(long seed) throws Exception {
    Random random = new Random(seed);
    Path checkpoint = dir.resolve("ledger-" + seed + ".json");
    Ledger ledger = Ledger.open(checkpoint, Clock.systemUTC());
    Map<ContainerRef, Grant> model = new LinkedHashMap<>();

    for (int step = 0; step < STEPS; step++) {
      String what;
      int choice = random.nextInt(20);
      if (choice < 12) {
        Grant grant = randomGrant(random);
        what = "record " + grant;
        ledger.record(grant);
        model.remove(grant.container());
        model.put(grant.container(), grant);
      } else if (choice < 19) {
        Predicate<Grant> which = randomPredicate(random);
        what = "release " + which;
        List<Grant> expected = model.values().stream().filter(which).toList();
        assertThat(ledger.release(which)).as(what).containsExactlyElementsOf(expected);
        expected.forEach(grant -> model.remove(grant.container()));
      } else {
        List<Grant> kept = new ArrayList<>(model.values());
        kept.removeIf(grant -> random.nextBoolean());
        Collections.shuffle(kept, random);
        what = "replaceAll with " + kept.size();
        ledger.replaceAll(kept);
        model.clear();
        kept.forEach(grant -> model.put(grant.container(), grant));
      }

      String context = "seed " + seed + " step " + step + ": " + what;
      assertThat(ledger.grants()).as(context).containsExactlyElementsOf(model.values());
      Ledger reopened = Ledger.open(checkpoint, Clock.systemUTC());
      assertThat(reopened.grants()).as(context).containsExactlyElementsOf(model.values());
      assertThat(reopened.useByCard()).as(context).isEqualTo(sums(model));
    }
  }

  /** Few pods and containers, so records often replace and releases often match several grants. */
  private static Grant randomGrant(Random random) {
    String pod = "pod-" + random.nextInt(12);
    ContainerRef ref =
        new ContainerRef("uid-" + pod, "ns-" + random.nextInt(2), pod, "c" + random.nextInt(2));
    String family = random.nextBoolean() ? Grant.VGPU : Grant.MPS;
    Instant at = Instant.ofEpochSecond(
        1_790_000_000L + random.nextInt(1_000_000), random.nextInt(1_000_000_000));
    if (random.nextInt(4) == 0) {
      int count = 1 + random.nextInt(2);
      int first = random.nextInt(CARDS - count + 1);
      List<CardShare> shares = new ArrayList<>();
      for (int card = first; card < first + count; card++) {
        shares.add(new CardShare("GPU-" + card, card, 100, 64));
      }
      return new Grant(ref, family, shares, true, at);
    }
    int card = random.nextInt(CARDS);
    CardShare share =
        new CardShare("GPU-" + card, card, 1 + random.nextInt(99), random.nextInt(64));
    return new Grant(ref, family, List.of(share), false, at);
  }

  private static Predicate<Grant> randomPredicate(Random random) {
    switch (random.nextInt(3)) {
      case 0: {
        String pod = "pod-" + random.nextInt(12);
        return named("pod " + pod, grant -> grant.container().pod().equals(pod));
      }
      case 1: {
        String card = "GPU-" + random.nextInt(CARDS);
        return named("card " + card, grant -> grant.holdsCard(card));
      }
      default: {
        String family = random.nextBoolean() ? Grant.VGPU : Grant.MPS;
        return named("family " + family, grant -> grant.family().equals(family));
      }
    }
  }

  private static Predicate<Grant> named(String name, Predicate<Grant> predicate) {
    return new Predicate<>() {
      @Override
      public boolean test(Grant grant) {
        return predicate.test(grant);
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }

  /** The per-card sums computed the plain way. */
  private static Map<String, CardUse> sums(Map<ContainerRef, Grant> model) {
    Map<String, int[]> cores = new TreeMap<>();
    Map<String, long[]> memory = new TreeMap<>();
    Map<String, Boolean> exclusive = new TreeMap<>();
    for (Grant grant : model.values()) {
      for (CardShare share : grant.shares()) {
        int[] c = cores.computeIfAbsent(share.cardUuid(), card -> new int[2]);
        c[0] += share.cores();
        c[1]++;
        memory.computeIfAbsent(share.cardUuid(), card -> new long[1])[0] += share.memoryUnits();
        exclusive.merge(share.cardUuid(), grant.exclusive(), Boolean::logicalOr);
      }
    }
    Map<String, CardUse> sums = new TreeMap<>();
    cores.forEach((card, c) ->
        sums.put(card, new CardUse(c[0], memory.get(card)[0], c[1], exclusive.get(card))));
    return sums;
  }
}
