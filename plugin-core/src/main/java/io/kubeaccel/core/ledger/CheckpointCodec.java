package io.kubeaccel.core.ledger;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The checkpoint's JSON format, version {@value #VERSION}:
 *
 * <pre>{@code
 * {"version":1,"grants":[{"container":{"podUid":"8f1c...","namespace":"team","pod":"trainer","container":"main"},
 *   "family":"vgpu","exclusive":false,"grantedAt":"2026-11-23T12:00:00.123Z",
 *   "shares":[{"cardUuid":"GPU-5a4e...","cardIndex":0,"cores":30,"memoryUnits":16}]}]}
 * }</pre>
 *
 * <p>The wire types are separate from the domain records so renaming a record component cannot change the file. Unknown
 * fields are ignored (a newer agent may add some within version 1); anything that changes the meaning of existing fields
 * needs a new version, which this reader refuses. Immutable and thread-safe.
 */
final class CheckpointCodec {

  static final int VERSION = 1;

  private final ObjectWriter writer;
  private final ObjectReader reader;

  CheckpointCodec() {
    JsonMapper mapper = JsonMapper.builder()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();
    this.writer = mapper.writerFor(FileV1.class);
    this.reader = mapper.readerFor(FileV1.class);
  }

  byte[] encode(List<Grant> grants) {
    return writer.writeValueAsBytes(
        new FileV1(VERSION, grants.stream().map(GrantV1::of).toList()));
  }

  /**
   * The grants in {@code content}, in file order.
   *
   * @throws CorruptCheckpointException saying what is wrong, for anything but a well-formed version-1 file
   */
  List<Grant> decode(byte[] content) throws CorruptCheckpointException {
    JsonNode tree;
    try {
      tree = reader.readTree(content);
    } catch (JacksonException e) {
      throw new CorruptCheckpointException("not JSON: " + e.getOriginalMessage());
    }
    if (tree == null || !tree.isObject()) {
      throw new CorruptCheckpointException("not a JSON object");
    }
    JsonNode version = tree.get("version");
    if (version == null || !version.isIntegralNumber()) {
      throw new CorruptCheckpointException("no integer \"version\"");
    }
    if (!version.canConvertToInt() || version.intValue() != VERSION) {
      throw new CorruptCheckpointException(
          "unknown version " + version + ", this agent reads version " + VERSION);
    }
    FileV1 file;
    try {
      file = reader.treeToValue(tree, FileV1.class);
    } catch (JacksonException e) {
      throw new CorruptCheckpointException("bad content: " + e.getOriginalMessage());
    }
    if (file.grants() == null) {
      throw new CorruptCheckpointException("no \"grants\" list");
    }
    try {
      List<Grant> grants = file.grants().stream().map(GrantV1::toGrant).toList();
      Set<ContainerRef> seen = new HashSet<>();
      for (Grant grant : grants) {
        if (!seen.add(grant.container())) {
          throw new CorruptCheckpointException("two grants for " + grant.container());
        }
      }
      return grants;
    } catch (RuntimeException e) {
      // Null entries, blank names, negative numbers, unknown families, bad timestamps.
      throw new CorruptCheckpointException("invalid grant: " + e.getMessage());
    }
  }

  /** What is wrong with a checkpoint's content; the file is set aside and the ledger starts empty. */
  static final class CorruptCheckpointException extends Exception {
    private static final long serialVersionUID = 1L;

    CorruptCheckpointException(String reason) {
      super(reason);
    }
  }

  @JsonPropertyOrder({"version", "grants"})
  record FileV1(int version, List<GrantV1> grants) {}

  @JsonPropertyOrder({"container", "family", "exclusive", "grantedAt", "shares"})
  record GrantV1(
      ContainerV1 container,
      String family,
      boolean exclusive,
      String grantedAt,
      List<ShareV1> shares) {

    static GrantV1 of(Grant grant) {
      ContainerRef ref = grant.container();
      return new GrantV1(
          new ContainerV1(ref.podUid(), ref.namespace(), ref.pod(), ref.container()),
          grant.family(),
          grant.exclusive(),
          grant.grantedAt().toString(),
          grant.shares().stream().map(ShareV1::of).toList());
    }

    Grant toGrant() {
      if (container == null || shares == null || grantedAt == null) {
        throw new IllegalArgumentException("a grant lacks its container, shares or grantedAt");
      }
      Instant at;
      try {
        at = Instant.parse(grantedAt);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("grantedAt is not an ISO-8601 instant: " + grantedAt);
      }
      return new Grant(
          new ContainerRef(
              container.podUid(), container.namespace(), container.pod(), container.container()),
          family,
          shares.stream().map(ShareV1::toShare).toList(),
          exclusive,
          at);
    }
  }

  @JsonPropertyOrder({"podUid", "namespace", "pod", "container"})
  record ContainerV1(String podUid, String namespace, String pod, String container) {}

  @JsonPropertyOrder({"cardUuid", "cardIndex", "cores", "memoryUnits"})
  record ShareV1(String cardUuid, int cardIndex, int cores, long memoryUnits) {

    static ShareV1 of(CardShare share) {
      return new ShareV1(share.cardUuid(), share.cardIndex(), share.cores(), share.memoryUnits());
    }

    CardShare toShare() {
      return new CardShare(cardUuid, cardIndex, cores, memoryUnits);
    }
  }
}
