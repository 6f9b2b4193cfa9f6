package io.kubeaccel.core.spi;

import java.util.List;
import java.util.Map;

/**
 * What one container receives: the domain form of the kubelet's {@code ContainerAllocateResponse}.
 *
 * @param envs environment variables
 * @param mounts host paths mounted into the container
 * @param devices device nodes made available (with cgroup permissions)
 * @param annotations annotations passed to the container runtime
 * @param cdiDevices fully qualified CDI device names (Kubernetes 1.28+)
 */
public record ContainerAllocation(
    Map<String, String> envs,
    List<Mount> mounts,
    List<DeviceNode> devices,
    Map<String, String> annotations,
    List<String> cdiDevices) {

  public ContainerAllocation {
    envs = Map.copyOf(envs);
    mounts = List.copyOf(mounts);
    devices = List.copyOf(devices);
    annotations = Map.copyOf(annotations);
    cdiDevices = List.copyOf(cdiDevices);
  }

  /** A host path mounted into the container. */
  public record Mount(String containerPath, String hostPath, boolean readOnly) {}

  /** A device node made available to the container; {@code permissions} is any of r, w, m. */
  public record DeviceNode(String containerPath, String hostPath, String permissions) {}
}
