package io.kubeaccel.core.spi;

import io.kubeaccel.core.inventory.Inventory;
import java.util.List;

/**
 * What a mode decides for one extended resource: the contract every mode implements.
 *
 * <p>The core owns sockets, threads, registration, restarts, validation and the wire format; an implementation makes
 * pure decisions over the immutable inputs it is given, so it can be tested without a socket. The core validates
 * requests before they reach a plugin: every device ID it passes to {@link #allocate} was advertised for the same
 * {@link Inventory} snapshot by {@link #devices}, is healthy, and appears once.
 *
 * <p>Optional abilities are separate one-method interfaces a plugin may also implement: {@link PreferredAllocator}
 * (the kubelet then asks it to choose among free devices) and {@link PreStarter} (the kubelet then calls it before
 * each container starts).
 */
public interface ModePlugin {

  /** The extended resource served, e.g. {@code nvidia.com/gpu}. */
  String resourceName();

  /**
   * The devices to advertise for {@code inventory}, with their health and NUMA placement. Must be deterministic:
   * the same inventory gives the same list, and IDs are stable across agent restarts.
   */
  List<AdvertisedDevice> devices(Inventory inventory);

  /**
   * Decides what one container receives for {@code request}.
   *
   * @throws InvalidRequestException if the request breaks a rule of the mode; the kubelet gets INVALID_ARGUMENT
   *     with the exception's message and nothing is recorded
   */
  ContainerAllocation allocate(AllocationRequest request);
}
