package io.kubeaccel.core.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The container of a host process, from {@code <procRoot>/<pid>/cgroup}. A process keeps its cgroup for life, so
 * answers are cached per PID until the PID is no longer on any GPU ({@link #retainOnly}); used by the sampling thread
 * alone.
 */
final class ProcessCgroups {

  private static final Logger log = LoggerFactory.getLogger(ProcessCgroups.class);
  /** Longer cgroup files are not a process's (a v1 file has about a dozen short lines). */
  private static final long MAX_FILE_BYTES = 64 * 1024;

  private final Path procRoot;
  private final Map<Integer, Optional<CgroupContainer>> cache = new HashMap<>();
  private boolean warnedUnreadable;

  ProcessCgroups(Path procRoot) {
    this.procRoot = procRoot;
  }

  /** The pod container {@code pid} runs in; empty for a host process or one that is gone. */
  Optional<CgroupContainer> containerOf(int pid) {
    Optional<CgroupContainer> known = cache.get(pid);
    if (known != null) {
      return known;
    }
    Path file = procRoot.resolve(Integer.toString(pid)).resolve("cgroup");
    String content;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        return Optional.empty();
      }
      content = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      // Gone already, or the agent does not see the host's PIDs: not cached, asked again next time.
      if (!warnedUnreadable) {
        log.warn(
            "cannot read the cgroup of a GPU process, per-container metrics need the host's PIDs"
                + " (hostPID: true, or the host's /proc at --proc-root) pid={} file={}",
            pid,
            file);
        warnedUnreadable = true;
      }
      return Optional.empty();
    }
    Optional<CgroupContainer> container = CgroupPaths.parseFile(content);
    cache.put(pid, container);
    return container;
  }

  /** Forgets every PID not in {@code live}, so a reused PID is read anew. */
  void retainOnly(Set<Integer> live) {
    cache.keySet().retainAll(live);
  }
}
