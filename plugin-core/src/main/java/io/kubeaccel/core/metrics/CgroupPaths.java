package io.kubeaccel.core.metrics;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the pod UID and container ID out of a {@code /proc/<pid>/cgroup} file, for every layout the kubelet and the
 * container runtimes produce:
 *
 * <ul>
 *   <li>cgroupfs driver (v1 and v2): {@code /kubepods/burstable/pod<uid>/<id>}, {@code /kubepods/pod<uid>/<id>}
 *       (Guaranteed pods have no QoS level);
 *   <li>systemd driver: {@code /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid with _ for
 *       ->.slice/cri-containerd-<id>.scope}, with {@code docker-<id>.scope} or {@code crio-<id>.scope};
 *   <li>either, nested (kind's {@code /kubelet.slice/kubelet-kubepods.slice/...}, Docker-in-Docker's {@code
 *       /docker/<id>/kubepods/...}) or seen from a cgroup namespace ({@code /../../kubepods.slice/...}).
 * </ul>
 *
 * v1 files have a line per hierarchy; the first line naming a pod wins (all name the same one). CRI-O's {@code
 * crio-conmon-<id>.scope} is the monitor, not the container, and is not taken as one.
 */
final class CgroupPaths {

  private static final Pattern CGROUPFS_POD = Pattern.compile("^pod([0-9a-fA-F-]{32,36})$");
  private static final Pattern SYSTEMD_POD =
      Pattern.compile("^(?:[a-z0-9]+-)*kubepods(?:-[a-z]+)?-pod([0-9a-fA-F_]{32,36})\\.slice$");
  private static final Pattern CONTAINER = Pattern.compile(
      "^(?:cri-containerd-|docker-|crio-|cri-o-|containerd-)?([0-9a-fA-F]{12,64})(?:\\.scope)?$");

  private CgroupPaths() {}

  /** The container of a whole {@code cgroup} file, or empty for a process outside any pod. */
  static Optional<CgroupContainer> parseFile(String content) {
    for (String line : content.split("\n")) {
      // hierarchy-ID:controller-list:cgroup-path; the path itself may contain ':'.
      int first = line.indexOf(':');
      int second = first < 0 ? -1 : line.indexOf(':', first + 1);
      if (second < 0) {
        continue;
      }
      Optional<CgroupContainer> found = parsePath(line.substring(second + 1).trim());
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  /** The container of one cgroup path, or empty when no segment is a pod's. */
  static Optional<CgroupContainer> parsePath(String path) {
    String[] segments = path.split("/");
    for (int i = 0; i < segments.length; i++) {
      Optional<String> uid = podUid(segments[i], i > 0 && isUnderKubepods(segments, i));
      if (uid.isEmpty()) {
        continue;
      }
      String containerId = "";
      if (i + 1 < segments.length) {
        Matcher container = CONTAINER.matcher(segments[i + 1]);
        if (container.matches()) {
          containerId = container.group(1).toLowerCase(Locale.ROOT);
        }
      }
      return Optional.of(new CgroupContainer(uid.get(), containerId));
    }
    return Optional.empty();
  }

  private static Optional<String> podUid(String segment, boolean underKubepods) {
    Matcher systemd = SYSTEMD_POD.matcher(segment);
    if (systemd.matches()) {
      return Optional.of(normalise(systemd.group(1).replace('_', '-')));
    }
    Matcher cgroupfs = CGROUPFS_POD.matcher(segment);
    if (underKubepods && cgroupfs.matches()) {
      return Optional.of(normalise(cgroupfs.group(1)));
    }
    return Optional.empty();
  }

  /** cgroupfs pod segments are plain {@code pod<uid>}: only trusted below a {@code kubepods} ancestor. */
  private static boolean isUnderKubepods(String[] segments, int index) {
    for (int i = 0; i < index; i++) {
      if (segments[i].startsWith("kubepods")) {
        return true;
      }
    }
    return false;
  }

  private static String normalise(String uid) {
    return uid.toLowerCase(Locale.ROOT);
  }
}
