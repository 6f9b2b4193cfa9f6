package io.kubeaccel.pgpu;

import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.spi.AdvertisedDevice;
import io.kubeaccel.core.spi.AllocationRequest;
import io.kubeaccel.core.spi.ContainerAllocation;
import io.kubeaccel.core.spi.InvalidRequestException;
import io.kubeaccel.core.spi.ModePlugin;
import io.kubeaccel.core.spi.PreferenceRequest;
import io.kubeaccel.core.spi.PreferredAllocator;
import io.kubeaccel.pgpu.config.PgpuConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One resource of the whole-card mode: {@code nvidia.com/gpu}, a MIG profile ({@code nvidia.com/mig-1g.5gb}) or a
 * renamed time-sliced resource ({@code nvidia.com/gpu.shared}). Devices are the resource's units, or their replicas
 * {@code <uuid>::<n>}; every replica follows its card's health.
 */
public final class GpuResourcePlugin implements ModePlugin, PreferredAllocator {

  /** NVIDIA's whole-card resource; pods written for NVIDIA's plugin run unchanged. */
  public static final String GPU = "nvidia.com/gpu";

  /** NVIDIA's wording, kept so users and their tooling recognise it. */
  static final String SHARED_LIMIT = "maximum request size for shared resources is 1";

  private final String resource;
  private final ResourcePlan plan;
  private final ContainerResponder responder;
  private final PreferredChoice choice;
  private final boolean failRequestsGreaterThanOne;
  private volatile PlannedUnits cache;

  GpuResourcePlugin(
      String resource, ResourcePlan plan, ContainerResponder responder, PgpuConfig config) {
    this.resource = resource;
    this.plan = plan;
    this.responder = responder;
    this.choice = new PreferredChoice(config.sharedAllocationPolicy());
    this.failRequestsGreaterThanOne = config.timeSlicing().failRequestsGreaterThanOne();
  }

  @Override
  public String resourceName() {
    return resource;
  }

  @Override
  public List<AdvertisedDevice> devices(Inventory inventory) {
    List<AdvertisedDevice> devices = new ArrayList<>();
    for (Unit unit : units(inventory).values()) {
      boolean healthy = inventory.health(unit.card().uuid()).healthy();
      List<Integer> numa =
          unit.card().numaNode() >= 0 ? List.of(unit.card().numaNode()) : List.of();
      for (String id : unit.deviceIds()) {
        devices.add(new AdvertisedDevice(id, unit.card().uuid(), healthy, numa));
      }
    }
    return devices;
  }

  @Override
  public ContainerAllocation allocate(AllocationRequest request) {
    Map<String, Unit> byUuid = units(request.inventory());
    Set<Unit> units = new LinkedHashSet<>();
    boolean shared = false;
    for (String id : request.deviceIds()) {
      Unit unit = byUuid.get(Unit.uuidOf(id));
      if (unit == null) {
        throw new InvalidRequestException(
            resource + ": device " + id + " is no longer on this node");
      }
      shared |= unit.replicas() > 1;
      units.add(unit);
    }
    if (shared && failRequestsGreaterThanOne && request.deviceIds().size() > 1) {
      throw new InvalidRequestException("request for '" + resource + ": "
          + request.deviceIds().size() + "' too large: " + SHARED_LIMIT);
    }
    return responder.respond(List.copyOf(units));
  }

  @Override
  public List<String> preferredAllocation(PreferenceRequest request) {
    return choice.choose(request, units(request.inventory()));
  }

  /** This resource's units for {@code inventory} by UUID; recomputed only when the snapshot changes. */
  private Map<String, Unit> units(Inventory inventory) {
    PlannedUnits cached = cache;
    if (cached != null && cached.inventory() == inventory) {
      return cached.byUuid();
    }
    Map<String, Unit> byUuid = new LinkedHashMap<>();
    for (Unit unit : plan.units(inventory).getOrDefault(resource, List.of())) {
      byUuid.put(unit.uuid(), unit);
    }
    cache = new PlannedUnits(inventory, byUuid);
    return byUuid;
  }

  private record PlannedUnits(Inventory inventory, Map<String, Unit> byUuid) {}
}
