package io.kubeaccel.core.ledger;

import io.kubeaccel.core.ledger.CheckpointCodec.CorruptCheckpointException;
import io.kubeaccel.core.ledger.CheckpointFile.TooLargeException;
import io.kubeaccel.core.ledger.CheckpointFile.WriteFault;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who holds what share of which card: the grants the vGPU and MPS modes made, which the kubelet does not know. Every
 * change is written to the checkpoint file (atomically, see below) before the mutator returns, so a grant recorded
 * before the Allocate response leaves survives an agent crash; at start the agent {@link #open opens} the file and
 * reconciles it against the kubelet's PodResources API ({@link PodResourcesClient}), then stores the result with
 * {@link #replaceAll}.
 *
 * <p>The file is JSON, {@code {"version": 1, "grants": [...]}}, replaced whole on each change through a temp file in
 * the same directory that is forced to disk, renamed over the checkpoint ({@code ATOMIC_MOVE}) and followed by a
 * directory fsync; mode 0600. A crash leaves either the old or the new file, never a torn one.
 *
 * <p>Grant order is the order of {@link #record} calls: replacing a container's grant moves it to the end. A ledger holds
 * at most one grant per {@link ContainerRef}. It records what the modes decided and checks no capacity.
 *
 * <p>Thread-safe: every method is synchronized (mutators hold the lock while writing the file), and readers get
 * immutable values that later changes do not affect.
 */
public final class Ledger {

  private static final Logger log = LoggerFactory.getLogger(Ledger.class);

  /** Told when a bad checkpoint was moved aside at open; a seam so tests can see the warning. */
  @FunctionalInterface
  interface SetAsideListener {
    SetAsideListener LOG = (checkpoint, movedTo, reason) -> log.warn(
        "checkpoint unusable, moved aside; the ledger starts empty until reconciliation"
            + " checkpoint={} movedTo={} reason={}",
        checkpoint,
        movedTo,
        reason);

    void setAside(Path checkpoint, Path movedTo, String reason);
  }

  private final CheckpointFile file;
  private final CheckpointCodec codec;
  private Map<ContainerRef, Grant> byContainer; // immutable, replaced whole; guarded by this
  private List<Grant> ordered; // immutable, byContainer's values; guarded by this

  private Ledger(CheckpointFile file, CheckpointCodec codec, List<Grant> grants) {
    this.file = file;
    this.codec = codec;
    Map<ContainerRef, Grant> loaded = new LinkedHashMap<>();
    grants.forEach(grant -> loaded.put(grant.container(), grant));
    synchronized (this) {
      install(loaded);
    }
  }

  /**
   * Opens the ledger kept in {@code checkpoint}, creating its directory if missing. A missing file gives an empty
   * ledger. A file that cannot be used — not JSON, truncated, an unknown version, invalid grants, larger than 16 MiB,
   * unreadable or not a regular file — is moved aside to {@code <name>.corrupt-<epochMillis>} (millis from {@code
   * clock}) with one warning, and the ledger starts empty: reconciliation against the kubelet recovers what it can.
   * Temp files a crash left behind are removed.
   *
   * @throws IOException if the directory cannot be created or a bad file cannot be moved aside; never for the file's
   *     content
   */
  public static Ledger open(Path checkpoint, Clock clock) throws IOException {
    return open(checkpoint, clock, WriteFault.NONE, SetAsideListener.LOG);
  }

  static Ledger open(Path checkpoint, Clock clock, WriteFault fault, SetAsideListener listener)
      throws IOException {
    Objects.requireNonNull(clock, "clock");
    CheckpointFile file = new CheckpointFile(checkpoint, fault);
    Files.createDirectories(file.path().getParent());
    file.removeStaleTempFiles();
    CheckpointCodec codec = new CheckpointCodec();
    List<Grant> grants = List.of();
    String problem = null;
    try {
      Optional<byte[]> content = file.read();
      if (content.isPresent()) {
        grants = codec.decode(content.get());
      }
    } catch (CorruptCheckpointException | TooLargeException e) {
      problem = e.getMessage();
    } catch (IOException e) {
      problem = "unreadable: " + e;
    }
    if (problem != null) {
      listener.setAside(file.path(), file.setAside(clock), problem);
    }
    log.info("ledger opened checkpoint={} grants={}", file.path(), grants.size());
    return new Ledger(file, codec, grants);
  }

  /** Every grant, in grant order (immutable). */
  public synchronized List<Grant> grants() {
    return ordered;
  }

  /** The grant of {@code container}, if it holds one. */
  public synchronized Optional<Grant> grant(ContainerRef container) {
    return Optional.ofNullable(byContainer.get(container));
  }

  /**
   * What the grants hold of each card, by card UUID (sorted), summed over every family: cores, memory units,
   * containers, and whether any grant holds it exclusively. Cards no grant holds are absent. Immutable.
   *
   * <p>The sums add units as recorded: a node runs one mode, so one ledger's grants use one family's units.
   */
  public synchronized Map<String, CardUse> useByCard() {
    Map<String, CardUse> use = new TreeMap<>();
    for (Grant grant : ordered) {
      for (CardShare share : grant.shares()) {
        use.merge(
            share.cardUuid(),
            CardUse.NONE.plus(share, grant.exclusive()),
            (sum, one) -> sum.plus(share, grant.exclusive()));
      }
    }
    return Collections.unmodifiableMap(use);
  }

  /**
   * Adds {@code grant}, or replaces the grant its container held (the new one goes to the end of the grant order), and
   * writes the ledger to the checkpoint before returning.
   *
   * @throws IOException if the checkpoint cannot be written; then neither the file nor the ledger in memory changed
   */
  public synchronized void record(Grant grant) throws IOException {
    Objects.requireNonNull(grant, "grant");
    Map<ContainerRef, Grant> next = new LinkedHashMap<>(byContainer);
    Grant previous = next.remove(grant.container());
    next.put(grant.container(), grant);
    commit(next);
    log.debug(
        "ledger recorded container={} family={} exclusive={} shares={} replaced={}",
        grant.container(),
        grant.family(),
        grant.exclusive(),
        grant.shares(),
        previous != null);
  }

  /**
   * Removes every grant {@code which} accepts and writes the ledger to the checkpoint before returning (no write when
   * nothing matches).
   *
   * @return the grants removed, in grant order
   * @throws IOException if the checkpoint cannot be written; then nothing was removed
   */
  public synchronized List<Grant> release(Predicate<Grant> which) throws IOException {
    Objects.requireNonNull(which, "which");
    Map<ContainerRef, Grant> next = new LinkedHashMap<>();
    List<Grant> removed = new ArrayList<>();
    for (Grant grant : ordered) {
      if (which.test(grant)) {
        removed.add(grant);
      } else {
        next.put(grant.container(), grant);
      }
    }
    if (removed.isEmpty()) {
      return List.of();
    }
    commit(next);
    for (Grant grant : removed) {
      log.debug("ledger released container={} family={}", grant.container(), grant.family());
    }
    return List.copyOf(removed);
  }

  /**
   * Replaces the whole content with {@code grants} (in that order), as reconciliation concludes, and writes it to the
   * checkpoint before returning.
   *
   * @throws IllegalArgumentException if two grants are for the same container; nothing changes
   * @throws IOException if the checkpoint cannot be written; then nothing changed
   */
  public synchronized void replaceAll(List<Grant> grants) throws IOException {
    Map<ContainerRef, Grant> next = new LinkedHashMap<>();
    for (Grant grant : grants) {
      Objects.requireNonNull(grant, "grant");
      if (next.put(grant.container(), grant) != null) {
        throw new IllegalArgumentException("two grants for " + grant.container());
      }
    }
    commit(next);
    log.info("ledger replaced checkpoint={} grants={}", file.path(), next.size());
  }

  /** Writes {@code next} to disk, then makes it the content; on failure nothing changes. */
  private void commit(Map<ContainerRef, Grant> next) throws IOException {
    List<Grant> content = List.copyOf(next.values());
    file.replace(codec.encode(content));
    byContainer = Collections.unmodifiableMap(next);
    ordered = content;
  }

  private void install(Map<ContainerRef, Grant> next) {
    byContainer = Collections.unmodifiableMap(next);
    ordered = List.copyOf(next.values());
  }
}
