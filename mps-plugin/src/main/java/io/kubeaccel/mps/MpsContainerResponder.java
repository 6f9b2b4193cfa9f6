package io.kubeaccel.mps;

import io.kubeaccel.core.inventory.DeviceNodes;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.sharing.ContainerDemand;
import io.kubeaccel.core.sharing.ShareAllocator.Placed;
import io.kubeaccel.core.spi.ContainerAllocation;
import io.kubeaccel.core.spi.ContainerAllocation.DeviceNode;
import io.kubeaccel.core.spi.ContainerAllocation.Mount;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a container placed on a card receives to run as a client of the node's MPS server with limits of its own: the
 * card, the daemon's pipe directory and the shared-memory directory, and the CUDA environment variables that set the
 * client's active thread percentage and pinned memory limit. The CUDA driver applies these per client process, so
 * every container has its own limits whatever the daemon's defaults (NVIDIA's plugin sets only daemon-wide defaults).
 */
final class MpsContainerResponder {

  /** Where the daemon's pipe directory appears in the container. */
  static final String CONTAINER_PIPE = "/mps/pipe";
  /** MPS clients and server exchange data through {@code /dev/shm}: the node's shared one. */
  static final String CONTAINER_SHM = "/dev/shm";

  private final MpsOptions options;
  private final DeviceNodes deviceNodes;

  MpsContainerResponder(MpsOptions options, DeviceNodes deviceNodes) {
    this.options = options;
    this.deviceNodes = deviceNodes;
  }

  ContainerAllocation respond(Placed placed) {
    Gpu card = placed.cards().get(0);
    ContainerDemand demand = placed.demand();
    // mps-core 100 takes the card whole; its memory limit is what it asked, else the card's memory.
    long memoryUnits = demand.memoryUnits() > 0
        ? demand.memoryUnits()
        : placed.grant().shares().get(0).memoryUnits();
    Map<String, String> envs = new LinkedHashMap<>();
    envs.put("NVIDIA_VISIBLE_DEVICES", card.uuid());
    envs.put("CUDA_MPS_PIPE_DIRECTORY", CONTAINER_PIPE);
    envs.put("CUDA_MPS_ACTIVE_THREAD_PERCENTAGE", Integer.toString(Math.min(100, demand.cores())));
    // One visible device, so ordinal 0; the limit in whole GiB.
    envs.put(
        "CUDA_MPS_PINNED_DEVICE_MEM_LIMIT",
        "0=" + (memoryUnits * MpsOptions.MEMORY_UNIT >> 30) + "G");
    List<Mount> mounts = List.of(
        new Mount(CONTAINER_PIPE, options.pipeDirectory().toString(), false),
        new Mount(CONTAINER_SHM, options.shmDirectory().toString(), false));
    List<DeviceNode> devices = new ArrayList<>();
    String node = deviceNodes.cardNode(card.minor());
    devices.add(new DeviceNode(node, node, "rw"));
    for (String control : deviceNodes.presentControlNodes()) {
      devices.add(new DeviceNode(control, control, "rw"));
    }
    return new ContainerAllocation(envs, mounts, devices, Map.of(), List.of());
  }
}
