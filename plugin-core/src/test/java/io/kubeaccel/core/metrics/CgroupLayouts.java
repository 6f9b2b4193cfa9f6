package io.kubeaccel.core.metrics;

/** {@code /proc/<pid>/cgroup} files as each cgroup version, driver and runtime writes them. */
final class CgroupLayouts {

  static final String POD_UID = "2c7b3f0e-5d1a-4e8b-9f6c-0a1b2c3d4e5f";
  static final String CONTAINER_ID =
      "8f14e45fceea167a5a36dedd4bea2543d7a8a2a1b5c4e9f0d1c2b3a4958677aa";

  private CgroupLayouts() {}

  static String underscored(String uid) {
    return uid.replace('-', '_');
  }

  /** cgroup v1, cgroupfs driver, Burstable pod, containerd: a line per hierarchy. */
  static String v1Cgroupfs(String uid, String id) {
    String path = "/kubepods/burstable/pod" + uid + "/" + id;
    return "12:pids:" + path + "\n"
        + "11:hugetlb:" + path + "\n"
        + "10:cpuset:" + path + "\n"
        + "9:devices:" + path + "\n"
        + "8:memory:" + path + "\n"
        + "7:cpu,cpuacct:" + path + "\n"
        + "1:name=systemd:" + path + "\n"
        + "0::/\n";
  }

  /** cgroup v2, cgroupfs driver, Guaranteed pod (no QoS level in the path). */
  static String v2CgroupfsGuaranteed(String uid, String id) {
    return "0::/kubepods/pod" + uid + "/" + id + "\n";
  }

  /** cgroup v2, systemd driver, containerd. */
  static String v2SystemdContainerd(String uid, String id) {
    return "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + underscored(uid)
        + ".slice/cri-containerd-" + id + ".scope\n";
  }

  /** cgroup v1, systemd driver, Docker (dockershim / cri-dockerd), BestEffort pod. */
  static String v1SystemdDocker(String uid, String id) {
    String path = "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"
        + underscored(uid) + ".slice/docker-" + id + ".scope";
    return "11:memory:" + path + "\n" + "4:devices:" + path + "\n" + "1:name=systemd:" + path
        + "\n";
  }

  /** cgroup v2, systemd driver, CRI-O, Guaranteed pod. */
  static String v2SystemdCrio(String uid, String id) {
    return "0::/kubepods.slice/kubepods-pod" + underscored(uid) + ".slice/crio-" + id + ".scope\n";
  }

  /** cgroup v2 seen from the agent's own cgroup namespace, kind-style nesting under kubelet.slice. */
  static String v2NamespacedKind(String uid, String id) {
    return "0::/../../kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/"
        + "kubelet-kubepods-burstable-pod" + underscored(uid) + ".slice/cri-containerd-" + id
        + ".scope\n";
  }

  /** A process on the host, outside any pod. */
  static String host() {
    return "0::/system.slice/nvidia-persistenced.service\n";
  }
}
