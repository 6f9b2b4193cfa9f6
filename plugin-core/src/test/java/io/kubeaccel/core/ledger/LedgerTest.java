package io.kubeaccel.core.ledger;

import static io.kubeaccel.core.ledger.Grants.T0;
import static io.kubeaccel.core.ledger.Grants.ref;
import static io.kubeaccel.core.ledger.Grants.share;
import static io.kubeaccel.core.ledger.Grants.shared;
import static io.kubeaccel.core.ledger.Grants.uuid;
import static io.kubeaccel.core.ledger.Grants.whole;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerTest {

  @TempDir
  Path dir;

  private Path checkpoint() {
    return dir.resolve("ledger/vgpu-ledger.json");
  }

  private Ledger open() throws Exception {
    return Ledger.open(checkpoint(), Clock.systemUTC());
  }

  @Test
  void aMissingCheckpointOpensAnEmptyLedgerAndCreatesItsDirectory() throws Exception {
    Ledger ledger = open();

    assertThat(ledger.grants()).isEmpty();
    assertThat(ledger.useByCard()).isEmpty();
    assertThat(checkpoint().getParent()).isDirectory();
    assertThat(checkpoint()).doesNotExist();
  }

  @Test
  void useByCardSumsCoresMemoryAndContainersPerCardAcrossFamilies() throws Exception {
    Ledger ledger = open();
    ledger.record(shared("a", 0, 30, 8));
    ledger.record(shared("b", 0, 50, 16));
    ledger.record(new Grant(ref("c", "worker"), Grant.MPS, List.of(share(1, 25, 4)), false, T0));
    ledger.record(whole("d", 64, 2, 3));

    assertThat(ledger.useByCard())
        .containsExactly(
            Map.entry(uuid(0), new CardUse(80, 24, 2, false)),
            Map.entry(uuid(1), new CardUse(25, 4, 1, false)),
            Map.entry(uuid(2), new CardUse(100, 64, 1, true)),
            Map.entry(uuid(3), new CardUse(100, 64, 1, true)));
  }

  @Test
  void recordingAContainerAgainReplacesItsGrantAndMovesItToTheEnd() throws Exception {
    Ledger ledger = open();
    ledger.record(shared("a", 0, 30, 8));
    ledger.record(shared("b", 0, 50, 16));

    Grant moved = shared("a", 1, 40, 4);
    ledger.record(moved);

    assertThat(ledger.grants()).containsExactly(shared("b", 0, 50, 16), moved);
    assertThat(ledger.grant(ref("a", "main"))).contains(moved);
    assertThat(ledger.useByCard())
        .containsExactly(
            Map.entry(uuid(0), new CardUse(50, 16, 1, false)),
            Map.entry(uuid(1), new CardUse(40, 4, 1, false)));
  }

  @Test
  void releaseRemovesEveryMatchingGrantAndReturnsThemInGrantOrder() throws Exception {
    Ledger ledger = open();
    Grant a = shared("a", 0, 30, 8);
    Grant b = shared("b", 1, 50, 16);
    Grant c = shared("c", 0, 20, 8);
    for (Grant grant : List.of(a, b, c)) {
      ledger.record(grant);
    }

    List<Grant> released = ledger.release(grant -> grant.holdsCard(uuid(0)));

    assertThat(released).containsExactly(a, c);
    assertThat(ledger.grants()).containsExactly(b);
    assertThat(ledger.useByCard()).containsOnlyKeys(uuid(1));
    assertThat(ledger.release(grant -> false)).isEmpty();
    assertThat(Ledger.open(checkpoint(), Clock.systemUTC()).grants()).containsExactly(b);
  }

  @Test
  void grantsSurviveReopeningWithTheSameContentAndOrder() throws Exception {
    Ledger ledger = open();
    List<Grant> grants = List.of(
        whole("z-last-by-name", 80, 3),
        new Grant(
            new ContainerRef("8f1c-uid", "ml", "trainer-0", "sidecar"),
            Grant.MPS,
            List.of(share(1, 33, 7)),
            false,
            T0.plusNanos(1)),
        shared("a-first-by-name", 0, 10, 1));
    for (Grant grant : grants) {
      ledger.record(grant);
    }

    Ledger reopened = open();

    assertThat(reopened.grants()).containsExactlyElementsOf(grants);
    assertThat(reopened.useByCard()).isEqualTo(ledger.useByCard());
  }

  @Test
  void replaceAllSetsTheWholeContentInTheGivenOrderAndPersistsIt() throws Exception {
    Ledger ledger = open();
    ledger.record(shared("gone", 0, 30, 8));
    List<Grant> reconciled = List.of(shared("b", 1, 50, 16), shared("a", 2, 10, 2));

    ledger.replaceAll(reconciled);

    assertThat(ledger.grants()).containsExactlyElementsOf(reconciled);
    assertThat(ledger.grant(ref("gone", "main"))).isEmpty();
    assertThat(open().grants()).containsExactlyElementsOf(reconciled);
  }

  @Test
  void replaceAllRefusesTwoGrantsForOneContainerAndChangesNothing() throws Exception {
    Ledger ledger = open();
    Grant kept = shared("kept", 0, 30, 8);
    ledger.record(kept);

    assertThatThrownBy(
            () -> ledger.replaceAll(List.of(shared("a", 0, 10, 1), shared("a", 1, 10, 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two grants for team/a/main");
    assertThat(ledger.grants()).containsExactly(kept);
    assertThat(open().grants()).containsExactly(kept);
  }

  @Test
  void readersGetImmutableValuesThatLaterChangesDoNotAffect() throws Exception {
    Ledger ledger = open();
    ledger.record(shared("a", 0, 30, 8));
    List<Grant> before = ledger.grants();
    Map<String, CardUse> useBefore = ledger.useByCard();

    ledger.record(shared("b", 0, 20, 8));

    assertThat(before).hasSize(1);
    assertThat(useBefore.get(uuid(0)).cores()).isEqualTo(30);
    assertThatThrownBy(() -> before.add(shared("c", 0, 1, 1)))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> useBefore.clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void theCheckpointIsReadableByItsOwnerOnlyAndNoTempFileStaysBehind() throws Exception {
    Ledger ledger = open();
    for (int i = 0; i < 5; i++) {
      ledger.record(shared("p" + i, i % 2, 10, 1));
    }
    ledger.release(grant -> grant.container().pod().equals("p0"));

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(checkpoint())))
        .isEqualTo("rw-------");
    try (var files = Files.list(checkpoint().getParent())) {
      assertThat(files).containsExactly(checkpoint());
    }
  }

  @Test
  void concurrentRecordsAreAllKeptAndPersisted() throws Exception {
    Ledger ledger = open();
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        done.add(threads.submit(() -> {
          for (int i = 0; i < 25; i++) {
            ledger.record(shared("t" + thread + "-" + i, thread, 1, 1));
          }
          return null;
        }));
      }
      for (Future<?> future : done) {
        future.get(30, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }

    assertThat(ledger.grants()).hasSize(100);
    assertThat(ledger.useByCard().values()).allMatch(use -> use.containers() == 25);
    assertThat(open().grants()).containsExactlyElementsOf(ledger.grants());
  }

  @Test
  void grantsRefuseBadValuesWithTheReason() {
    assertThatThrownBy(
            () -> new Grant(ref("a", "main"), "pgpu", List.of(share(0, 1, 1)), false, T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"pgpu\"");
    assertThatThrownBy(() -> new Grant(ref("a", "main"), Grant.VGPU, List.of(), false, T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one card share");
    assertThatThrownBy(() -> new Grant(
            ref("a", "main"), Grant.VGPU, List.of(share(0, 1, 1), share(0, 2, 2)), false, T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("appears twice");
    assertThatThrownBy(() -> new CardShare("GPU-x", 0, -1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cores -1");
    assertThatThrownBy(() -> new ContainerRef("uid", "ns", " ", "c"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pod must not be blank");
  }

  /**
   * Not a benchmark and asserts no time: logs how long one record() takes with 110 grants (serialise all, write, fsync
   * file and directory, rename) on the machine running the build, for the report.
   */
  @Test
  void recordingIntoALedgerOf110GrantsIsTimed() throws Exception {
    Ledger ledger = open();
    for (int i = 0; i < 109; i++) {
      ledger.record(shared("p" + i, i % 8, 10, 4));
    }
    int rounds = 200;
    long[] nanos = new long[rounds];
    for (int i = 0; i < rounds; i++) {
      long start = System.nanoTime();
      ledger.record(shared("timed", i % 8, 10, 4));
      nanos[i] = System.nanoTime() - start;
    }
    Arrays.sort(nanos);
    CheckpointCodec codec = new CheckpointCodec();
    long[] encodeNanos = new long[rounds * 10];
    for (int i = 0; i < encodeNanos.length; i++) {
      long start = System.nanoTime();
      codec.encode(ledger.grants());
      encodeNanos[i] = System.nanoTime() - start;
    }
    Arrays.sort(encodeNanos);
    System.out.printf(
        "ledger record() with 110 grants, %d bytes, %d calls: p50 %.3f ms, p90 %.3f ms, max %.3f ms"
            + " (serialising alone: p50 %.3f ms)%n",
        Files.size(checkpoint()),
        rounds,
        nanos[rounds / 2] / 1e6,
        nanos[rounds * 9 / 10] / 1e6,
        nanos[rounds - 1] / 1e6,
        encodeNanos[encodeNanos.length / 2] / 1e6);

    assertThat(open().grants()).hasSize(110);
  }
}
