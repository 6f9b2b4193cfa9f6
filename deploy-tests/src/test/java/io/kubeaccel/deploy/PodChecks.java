package io.kubeaccel.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What must hold for every pod template that runs the kubeaccel image, whatever the values: the CLI accepts its args,
 * every path it will use is mounted, every variable is one it reads, every volume mounted exists and is used.
 */
final class PodChecks {

  /** Paths a container has without a volume: its runtime provides them. */
  private static final Set<Path> PROVIDED_BY_RUNTIME =
      Set.of(Path.of("/"), Path.of("/sys"), Path.of("/proc"));

  /**
   * Options naming a program or file the image (or the NVIDIA container toolkit) provides, not a mount: a bare name
   * is looked up on PATH.
   */
  private static final Set<String> NOT_MOUNTED = Set.of("--mps-control");

  private PodChecks() {}

  /**
   * The problems in one pod template, one sentence each; empty when it is sound.
   *
   * @param image the kubeaccel image the chart renders (containers of other images are not the CLI)
   */
  static List<String> problems(String where, PodSpec pod, String image) {
    List<String> problems = new ArrayList<>();
    Map<String, Volume> volumes = new java.util.HashMap<>();
    if (pod.getVolumes() != null) {
      pod.getVolumes().forEach(volume -> volumes.put(volume.getName(), volume));
    }
    Set<String> mountedVolumes = new HashSet<>();
    Manifests.containers(pod).forEach(container -> {
      String at = where + " container " + container.getName();
      List<VolumeMount> mounts =
          container.getVolumeMounts() == null ? List.of() : container.getVolumeMounts();
      for (VolumeMount mount : mounts) {
        mountedVolumes.add(mount.getName());
        if (!volumes.containsKey(mount.getName())) {
          problems.add(at + " mounts volume " + mount.getName() + ", which the pod does not have");
        }
      }
      if (!image.equals(container.getImage())) {
        return;
      }
      CliArguments cli;
      try {
        cli = CliArguments.of(container);
      } catch (AssertionError e) {
        problems.add(at + ": " + e.getMessage());
        return;
      }
      Set<String> unread = CliArguments.unreadVariables(container, cli);
      if (!unread.isEmpty()) {
        problems.add(
            at + " sets variables kubeaccel " + cli.subcommand() + " does not read: " + unread);
      }
      cli.paths().forEach((option, path) -> {
        if (NOT_MOUNTED.contains(option.replaceAll("\\[\\d+]$", "")) || !path.isAbsolute()) {
          return;
        }
        if (PROVIDED_BY_RUNTIME.contains(path.normalize())) {
          return;
        }
        if (mountFor(mounts, path).isEmpty()) {
          problems.add(at + " " + option + "=" + path + " is not under any of its volume mounts");
        }
      });
    });
    for (String volume : volumes.keySet()) {
      if (!mountedVolumes.contains(volume)) {
        problems.add(where + " declares volume " + volume + " that no container mounts");
      }
    }
    return problems;
  }

  /** The mount a path lies under, the deepest one when several do. */
  static Optional<VolumeMount> mountFor(List<VolumeMount> mounts, Path path) {
    VolumeMount best = null;
    for (VolumeMount mount : mounts) {
      Path at = Path.of(mount.getMountPath());
      if (path.normalize().startsWith(at)
          && (best == null || at.getNameCount() > Path.of(best.getMountPath()).getNameCount())) {
        best = mount;
      }
    }
    return Optional.ofNullable(best);
  }

  /** The host path behind a path a container uses, when a hostPath volume provides it. */
  static Optional<Path> hostPathOf(PodSpec pod, Container container, Path path) {
    List<VolumeMount> mounts =
        container.getVolumeMounts() == null ? List.of() : container.getVolumeMounts();
    return mountFor(mounts, path)
        .flatMap(mount -> pod.getVolumes().stream()
            .filter(
                volume -> volume.getName().equals(mount.getName()) && volume.getHostPath() != null)
            .findFirst()
            .map(volume -> {
              Path host = Path.of(volume.getHostPath().getPath());
              if (mount.getSubPath() != null && !mount.getSubPath().isEmpty()) {
                host = host.resolve(mount.getSubPath());
              }
              return host.resolve(Path.of(mount.getMountPath()).relativize(path.normalize()));
            }));
  }

  /** Whether some container port has this name or number. */
  static boolean hasPort(PodSpec pod, String nameOrNumber) {
    return Manifests.containers(pod)
        .flatMap(container -> container.getPorts() == null
            ? java.util.stream.Stream.<ContainerPort>empty()
            : container.getPorts().stream())
        .anyMatch(port -> nameOrNumber.equals(port.getName())
            || nameOrNumber.equals(String.valueOf(port.getContainerPort())));
  }
}
