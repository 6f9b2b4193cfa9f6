package io.kubeaccel.core.ledger;

import static io.kubeaccel.core.ledger.Grants.shared;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.core.ledger.CheckpointFile.WriteFault;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed write leaves the previous checkpoint and the ledger in memory as they were, and no temp file. */
class LedgerAtomicityTest {

  @TempDir
  Path dir;

  private Path checkpoint;
  private final AtomicBoolean failNextWrite = new AtomicBoolean();
  private final AtomicReference<byte[]> tempContentAtFailure = new AtomicReference<>();
  private Ledger ledger;
  private final Grant a = shared("a", 0, 30, 8);
  private final Grant b = shared("b", 1, 50, 16);

  @BeforeEach
  void openWithTwoGrants() throws Exception {
    checkpoint = dir.resolve("vgpu-ledger.json");
    WriteFault fault = temp -> {
      if (failNextWrite.getAndSet(false)) {
        tempContentAtFailure.set(Files.readAllBytes(temp));
        throw new IOException("injected: disk full");
      }
    };
    ledger = Ledger.open(checkpoint, Clock.systemUTC(), fault, Ledger.SetAsideListener.LOG);
    ledger.record(a);
    ledger.record(b);
  }

  @Test
  void aFailedRecordKeepsThePreviousFileAndLedgerAndRemovesItsTempFile() throws Exception {
    byte[] before = Files.readAllBytes(checkpoint);
    failNextWrite.set(true);

    assertThatThrownBy(() -> ledger.record(shared("c", 2, 10, 1)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("injected");

    // The failure struck a complete, forced temp file just before the rename.
    assertThat(new String(tempContentAtFailure.get(), StandardCharsets.UTF_8))
        .contains("\"pod\":\"c\"");
    assertThat(Files.readAllBytes(checkpoint)).isEqualTo(before);
    assertThat(ledger.grants()).containsExactly(a, b);
    assertThat(onlyFiles()).containsExactly(checkpoint);
    assertThat(reopened()).containsExactly(a, b);
  }

  @Test
  void aFailedReplacementOfAGrantKeepsTheOldGrant() throws Exception {
    failNextWrite.set(true);

    assertThatThrownBy(() -> ledger.record(shared("a", 3, 90, 2))).isInstanceOf(IOException.class);

    assertThat(ledger.grant(a.container())).contains(a);
    assertThat(ledger.grants()).containsExactly(a, b);
    assertThat(reopened()).containsExactly(a, b);
  }

  @Test
  void aFailedReleaseOrReplaceAllRemovesNothing() throws Exception {
    failNextWrite.set(true);
    assertThatThrownBy(() -> ledger.release(grant -> true)).isInstanceOf(IOException.class);
    failNextWrite.set(true);
    assertThatThrownBy(() -> ledger.replaceAll(List.of())).isInstanceOf(IOException.class);

    assertThat(ledger.grants()).containsExactly(a, b);
    assertThat(ledger.useByCard()).hasSize(2);
    assertThat(onlyFiles()).containsExactly(checkpoint);
    assertThat(reopened()).containsExactly(a, b);
  }

  @Test
  void aRenameTheFileSystemRefusesFailsTheRecordWithoutTouchingTheLedger() throws Exception {
    // A non-empty directory where the checkpoint should be: rename(2) over it fails for real.
    Path other = dir.resolve("elsewhere.json");
    Files.move(checkpoint, other);
    Files.createDirectory(checkpoint);
    Files.writeString(checkpoint.resolve("occupant"), "x");

    assertThatThrownBy(() -> ledger.record(shared("c", 2, 10, 1))).isInstanceOf(IOException.class);

    assertThat(ledger.grants()).containsExactly(a, b);
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactlyInAnyOrder(checkpoint, other);
    }
  }

  @Test
  void theWriteAfterAFailureSucceedsAndCarriesTheWholeLedger() throws Exception {
    failNextWrite.set(true);
    Grant c = shared("c", 2, 10, 1);
    assertThatThrownBy(() -> ledger.record(c)).isInstanceOf(IOException.class);

    ledger.record(c);

    assertThat(reopened()).containsExactly(a, b, c);
    assertThat(onlyFiles()).containsExactly(checkpoint);
  }

  @Test
  void tempFilesACrashLeftBehindAreRemovedAtOpen() throws Exception {
    Path stale = Files.writeString(dir.resolve(".vgpu-ledger.json.123456.tmp"), "{\"version\":1,");
    Path unrelated = Files.writeString(dir.resolve("notes.tmp"), "keep me");

    assertThat(reopened()).containsExactly(a, b);
    assertThat(stale).doesNotExist();
    assertThat(unrelated).exists();
  }

  private List<Grant> reopened() throws IOException {
    return Ledger.open(checkpoint, Clock.systemUTC()).grants();
  }

  private List<Path> onlyFiles() throws IOException {
    try (var files = Files.list(dir)) {
      return files.toList();
    }
  }
}
