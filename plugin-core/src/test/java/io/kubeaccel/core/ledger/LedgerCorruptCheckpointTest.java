package io.kubeaccel.core.ledger;

import static io.kubeaccel.core.ledger.Grants.shared;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A checkpoint the ledger cannot use is moved aside with one warning, and the ledger starts empty. */
class LedgerCorruptCheckpointTest {

  private static final long NOW_MILLIS = 1_795_000_000_123L;
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW_MILLIS), ZoneOffset.UTC);

  @TempDir
  Path dir;

  private final List<String> warnings = new ArrayList<>();

  private Path checkpoint() {
    return dir.resolve("mps-ledger.json");
  }

  private Path setAside() {
    return dir.resolve("mps-ledger.json.corrupt-" + NOW_MILLIS);
  }

  private Ledger open() throws Exception {
    return Ledger.open(
        checkpoint(),
        CLOCK,
        CheckpointFile.WriteFault.NONE,
        (file, movedTo, reason) -> warnings.add(file + " -> " + movedTo + ": " + reason));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "\u0000\u0001garbage\u00ff",
        "",
        "{\"version\":1,\"grants\":[{\"container\":{\"podUid\":\"u\",",
        "[1,2,3]",
        "{\"grants\":[]}",
        "{\"version\":\"1\",\"grants\":[]}",
        "{\"version\":1}",
        "{\"version\":1,\"grants\":[]} trailing",
        "{\"version\":1,\"grants\":[null]}",
        "{\"version\":1,\"grants\":[{\"container\":{\"podUid\":\"u\",\"namespace\":\"n\",\"pod\":\"p\","
            + "\"container\":\"c\"},\"family\":\"pgpu\",\"exclusive\":false,"
            + "\"grantedAt\":\"2026-11-23T12:00:00Z\",\"shares\":[{\"cardUuid\":\"GPU-1\","
            + "\"cardIndex\":0,\"cores\":10,\"memoryUnits\":1}]}]}",
        "{\"version\":1,\"grants\":[{\"container\":{\"podUid\":\"u\",\"namespace\":\"n\",\"pod\":\"p\","
            + "\"container\":\"c\"},\"family\":\"mps\",\"exclusive\":false,"
            + "\"grantedAt\":\"yesterday\",\"shares\":[{\"cardUuid\":\"GPU-1\","
            + "\"cardIndex\":0,\"cores\":10,\"memoryUnits\":1}]}]}",
        "{\"version\":1,\"grants\":[{\"container\":{\"podUid\":\"u\",\"namespace\":\"n\",\"pod\":\"p\","
            + "\"container\":\"c\"},\"family\":\"mps\",\"exclusive\":false,"
            + "\"grantedAt\":\"2026-11-23T12:00:00Z\",\"shares\":[{\"cardUuid\":\"GPU-1\","
            + "\"cardIndex\":0,\"memoryUnits\":1}]}]}",
      })
  void contentThatIsNotAVersion1LedgerIsMovedAsideAndTheLedgerStartsEmpty(String content)
      throws Exception {
    Files.writeString(checkpoint(), content, StandardCharsets.ISO_8859_1);

    Ledger ledger = open();

    assertThat(ledger.grants()).isEmpty();
    assertThat(checkpoint()).doesNotExist();
    assertThat(setAside()).hasBinaryContent(content.getBytes(StandardCharsets.ISO_8859_1));
    assertThat(warnings).singleElement().asString().contains(setAside().toString());
  }

  @Test
  void anUnknownVersionIsMovedAsideNamingTheVersion() throws Exception {
    Files.writeString(checkpoint(), "{\"version\":2,\"grants\":[],\"cards\":{}}");

    assertThat(open().grants()).isEmpty();

    assertThat(setAside()).exists();
    assertThat(warnings).singleElement().asString().contains("unknown version 2");
  }

  @Test
  void aTruncatedCheckpointOfRealGrantsIsMovedAside() throws Exception {
    Ledger ledger = open();
    ledger.record(shared("a", 0, 30, 8));
    ledger.record(shared("b", 1, 50, 16));
    byte[] whole = Files.readAllBytes(checkpoint());
    byte[] truncated = Arrays.copyOf(whole, whole.length - 7);
    Files.write(checkpoint(), truncated);

    assertThat(open().grants()).isEmpty();

    assertThat(setAside()).hasBinaryContent(truncated);
    assertThat(warnings).singleElement().asString().contains("not JSON");
  }

  @Test
  void aFileOver16MiBIsNotReadButMovedAside() throws Exception {
    try (RandomAccessFile huge = new RandomAccessFile(checkpoint().toFile(), "rw")) {
      huge.setLength(16L * 1024 * 1024 + 1); // sparse: cheap to make
    }

    assertThat(open().grants()).isEmpty();

    assertThat(setAside()).hasSize(16L * 1024 * 1024 + 1);
    assertThat(warnings).singleElement().asString().contains("larger than 16777216 bytes");
  }

  @Test
  void aFileOfExactly16MiBIsReadAndJudgedByItsContent() throws Exception {
    try (RandomAccessFile big = new RandomAccessFile(checkpoint().toFile(), "rw")) {
      big.setLength(16L * 1024 * 1024);
    }

    assertThat(open().grants()).isEmpty();

    assertThat(warnings).singleElement().asString().doesNotContain("larger than");
  }

  @Test
  void aDirectoryWhereTheCheckpointShouldBeIsMovedAside() throws Exception {
    Files.createDirectory(checkpoint());

    Ledger ledger = open();
    ledger.record(shared("a", 0, 30, 8));

    assertThat(setAside()).isDirectory();
    assertThat(checkpoint()).isRegularFile();
    assertThat(warnings).singleElement().asString().contains("not a regular file");
  }

  @Test
  void aSecondCorruptionInTheSameMillisecondKeepsTheFirstSetAsideFile() throws Exception {
    Files.writeString(checkpoint(), "first");
    open();
    Files.writeString(checkpoint(), "second");

    open();

    assertThat(setAside()).hasContent("first");
    assertThat(dir.resolve(setAside().getFileName() + "-1")).hasContent("second");
  }

  @Test
  void theLedgerWorksAndPersistsAfterStartingEmpty() throws Exception {
    Files.writeString(checkpoint(), "not json");
    Ledger ledger = open();
    Grant a = shared("a", 0, 30, 8);

    ledger.record(a);

    warnings.clear();
    assertThat(open().grants()).containsExactly(a);
    assertThat(warnings).isEmpty();
    assertThat(setAside()).hasContent("not json");
  }

  @Test
  void anIntactCheckpointGivesNoWarning() throws Exception {
    open().record(shared("a", 0, 30, 8));

    assertThat(open().grants()).hasSize(1);

    assertThat(warnings).isEmpty();
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(checkpoint());
    }
  }
}
