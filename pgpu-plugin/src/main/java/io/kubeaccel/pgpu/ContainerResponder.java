package io.kubeaccel.pgpu;

import io.kubeaccel.core.inventory.DeviceNodes;
import io.kubeaccel.core.spi.ContainerAllocation;
import io.kubeaccel.core.spi.ContainerAllocation.DeviceNode;
import io.kubeaccel.core.spi.ContainerAllocation.Mount;
import io.kubeaccel.pgpu.config.DeviceIdStrategy;
import io.kubeaccel.pgpu.config.DeviceListStrategy;
import io.kubeaccel.pgpu.config.PgpuConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes what a container receives for its units, the way NVIDIA's device plugin does for each device-list strategy,
 * so the NVIDIA container toolkit on the node injects the same cards whichever plugin answered.
 */
final class ContainerResponder {

  /** The variable the NVIDIA container runtime reads. */
  static final String VISIBLE_DEVICES = "NVIDIA_VISIBLE_DEVICES";

  /** Where volume-mount device lists live in the container; the runtime reads the mount names. */
  static final String VOLUME_MOUNT_ROOT = "/var/run/nvidia-container-devices";

  /** The CDI kind NVIDIA's plugin generates specs for. */
  static final String CDI_KIND = "k8s.device-plugin.nvidia.com/gpu";

  private final PgpuConfig config;
  private final DeviceNodes deviceNodes;

  ContainerResponder(PgpuConfig config, DeviceNodes deviceNodes) {
    this.config = config;
    this.deviceNodes = deviceNodes;
  }

  /** The response for a container given {@code units} (each once, in request order). */
  ContainerAllocation respond(List<Unit> units) {
    List<String> ids = new ArrayList<>(units.size());
    for (Unit unit : units) {
      ids.add(config.deviceIdStrategy() == DeviceIdStrategy.INDEX ? unit.index() : unit.uuid());
    }
    Map<String, String> envs = new LinkedHashMap<>();
    List<Mount> mounts = new ArrayList<>();
    Map<String, String> annotations = new LinkedHashMap<>();
    List<String> cdiDevices = new ArrayList<>();
    List<DeviceListStrategy> strategies = config.deviceListStrategies();
    if (strategies.contains(DeviceListStrategy.ENVVAR)) {
      envs.put(VISIBLE_DEVICES, String.join(",", ids));
    }
    if (strategies.contains(DeviceListStrategy.VOLUME_MOUNTS)) {
      envs.put(VISIBLE_DEVICES, VOLUME_MOUNT_ROOT);
      for (String id : ids) {
        mounts.add(new Mount(VOLUME_MOUNT_ROOT + "/" + id, "/dev/null", false));
      }
    }
    List<String> cdiNames = ids.stream().map(id -> CDI_KIND + "=" + id).toList();
    if (strategies.contains(DeviceListStrategy.CDI_ANNOTATIONS)) {
      annotations.put(cdiAnnotationKey(ids), String.join(",", cdiNames));
    }
    if (strategies.contains(DeviceListStrategy.CDI_CRI)) {
      cdiDevices.addAll(cdiNames);
    }
    return new ContainerAllocation(envs, mounts, deviceSpecs(units), annotations, cdiDevices);
  }

  private List<DeviceNode> deviceSpecs(List<Unit> units) {
    if (!config.passDeviceSpecs()) {
      return List.of();
    }
    List<DeviceNode> nodes = new ArrayList<>();
    for (Unit unit : units) {
      List<String> paths = new ArrayList<>();
      paths.add(deviceNodes.cardNode(unit.card().minor()));
      if (unit.mig() != null) {
        paths.addAll(deviceNodes.migCapabilityNodes(
            unit.card().minor(), unit.mig().gpuInstanceId(), unit.mig().computeInstanceId()));
      }
      for (String path : paths) {
        DeviceNode node = new DeviceNode(path, path, "rw");
        if (!nodes.contains(node)) {
          nodes.add(node);
        }
      }
    }
    for (String control : deviceNodes.presentControlNodes()) {
      nodes.add(new DeviceNode(control, control, "rw"));
    }
    return nodes;
  }

  /**
   * The CDI annotation key: the configured prefix, the plugin name and an ID unique per device set (NVIDIA uses a
   * random UUID; a name-based one keeps responses reproducible and is just as unique per container).
   */
  private String cdiAnnotationKey(List<String> ids) {
    UUID id = UUID.nameUUIDFromBytes(String.join(",", ids).getBytes(StandardCharsets.UTF_8));
    return config.cdiAnnotationPrefix() + "nvidia-device-plugin_" + id;
  }
}
