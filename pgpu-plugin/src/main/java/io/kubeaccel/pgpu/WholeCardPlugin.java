package io.kubeaccel.pgpu;

import io.kubeaccel.core.inventory.DeviceNodes;
import io.kubeaccel.core.inventory.Gpu;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.spi.AdvertisedDevice;
import io.kubeaccel.core.spi.AllocationRequest;
import io.kubeaccel.core.spi.ContainerAllocation;
import io.kubeaccel.core.spi.ContainerAllocation.DeviceNode;
import io.kubeaccel.core.spi.InvalidRequestException;
import io.kubeaccel.core.spi.ModePlugin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Whole cards as {@code nvidia.com/gpu}: one device per physical GPU, ID = the card's UUID, placed on the card's NUMA
 * node. A container gets exclusive use of the cards the kubelet assigned it.
 *
 * <p>Cards in MIG mode are not advertised as whole cards: their memory and compute belong to MIG instances.
 */
public final class WholeCardPlugin implements ModePlugin {

  /** The resource NVIDIA's plugin serves; pods written for it run unchanged. */
  public static final String RESOURCE = "nvidia.com/gpu";

  /** The variable the NVIDIA container runtime reads to expose cards. */
  public static final String VISIBLE_DEVICES = "NVIDIA_VISIBLE_DEVICES";

  private final WholeCardOptions options;
  private final DeviceNodes deviceNodes;

  public WholeCardPlugin(WholeCardOptions options, DeviceNodes deviceNodes) {
    this.options = options;
    this.deviceNodes = deviceNodes;
  }

  @Override
  public String resourceName() {
    return RESOURCE;
  }

  @Override
  public List<AdvertisedDevice> devices(Inventory inventory) {
    List<AdvertisedDevice> devices = new ArrayList<>(inventory.gpus().size());
    for (Gpu gpu : inventory.gpus()) {
      if (gpu.mig() == Gpu.MigState.ENABLED) {
        continue;
      }
      List<Integer> numa = gpu.numaNode() >= 0 ? List.of(gpu.numaNode()) : List.of();
      devices.add(new AdvertisedDevice(
          gpu.uuid(), gpu.uuid(), inventory.health(gpu.uuid()).healthy(), numa));
    }
    return devices;
  }

  @Override
  public ContainerAllocation allocate(AllocationRequest request) {
    StringJoiner visible = new StringJoiner(",");
    List<DeviceNode> nodes = new ArrayList<>();
    for (AdvertisedDevice device : request.devices()) {
      Gpu gpu = request
          .inventory()
          .gpu(device.gpuUuid())
          .orElseThrow(() ->
              new InvalidRequestException(RESOURCE + ": card " + device.gpuUuid() + " is gone"));
      visible.add(
          options.deviceIdStrategy() == WholeCardOptions.DeviceIdStrategy.INDEX
              ? Integer.toString(gpu.index())
              : gpu.uuid());
      if (options.passDeviceSpecs()) {
        String node = deviceNodes.cardNode(gpu.minor());
        nodes.add(new DeviceNode(node, node, "rw"));
      }
    }
    if (options.passDeviceSpecs()) {
      for (String control : deviceNodes.presentControlNodes()) {
        nodes.add(new DeviceNode(control, control, "rw"));
      }
    }
    return new ContainerAllocation(
        Map.of(VISIBLE_DEVICES, visible.toString()), List.of(), nodes, Map.of(), List.of());
  }
}
