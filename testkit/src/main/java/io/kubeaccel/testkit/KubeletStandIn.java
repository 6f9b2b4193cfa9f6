package io.kubeaccel.testkit;

import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.kubeaccel.proto.UnixSocketTransport;
import io.kubeaccel.proto.deviceplugin.v1beta1.AllocateResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.ContainerAllocateResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.Device;
import io.kubeaccel.proto.deviceplugin.v1beta1.PreferredAllocationResponse;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A kubelet stand-in that behaves toward device plugins as the kubelet's device manager does (v1.26), so plugins can
 * be driven end to end without a cluster: by tests, and by the agent's {@code simulate} and {@code bench} commands.
 *
 * <ul>
 *   <li>Start and {@link #restart()}: deletes every non-directory file in the device-plugin dir except {@value
 *       #CHECKPOINT}, then serves {@code Registration} on {@value #KUBELET_SOCKET}.
 *   <li>Register: version must be {@code v1beta1}, the resource an extended name outside {@code kubernetes.io}, the
 *       endpoint a file name in the dir; inside the call it dials the endpoint and asks GetDevicePluginOptions (so the
 *       plugin must already serve and keep a gRPC thread free); after answering it opens one ListAndWatch stream. A new
 *       registration of a resource replaces the previous one.
 *   <li>{@link #admit}: the device manager's admission step (see the method), with allocations kept across restarts as
 *       the kubelet's checkpoint keeps them.
 * </ul>
 *
 * <p>Every call to a plugin has a deadline (5 s), so a hung plugin fails its caller instead of hanging it. Waiting
 * methods take a timeout and throw {@link IllegalStateException} saying what was awaited when it passes.
 *
 * <pre>{@code
 * try (KubeletStandIn kubelet = KubeletStandIn.start(dir)) {
 *   // start the plugin on dir/nvidia-gpu.sock; it registers on dir/kubelet.sock
 *   RegisteredPlugin gpus = kubelet.awaitRegistration("nvidia.com/gpu", Duration.ofSeconds(5));
 *   ContainerAllocateResponse env = kubelet.admit(new PodRef(uid, "default", "trainer"), "main", "nvidia.com/gpu", 2);
 * }
 * }</pre>
 */
public final class KubeletStandIn implements AutoCloseable {

  /** The socket the kubelet serves Registration on, inside the device-plugin dir. */
  public static final String KUBELET_SOCKET = "kubelet.sock";

  /** The kubelet's own file in the device-plugin dir, the one file its cleanup keeps. */
  public static final String CHECKPOINT = "kubelet_internal_checkpoint";

  static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(KubeletStandIn.class);

  private final Path deviceDir;
  private final Duration callTimeout;
  private final UnixSocketTransport transport = new UnixSocketTransport("kubelet-standin", 1);
  private final PluginRegistry registry = new PluginRegistry(new StateMonitor());
  private final AllocationLedger ledger = new AllocationLedger();
  private final DeviceAdmission admission = new DeviceAdmission(registry, ledger);
  private Server server; // guarded by this
  private ExecutorService handlers; // guarded by this
  private boolean closed; // guarded by this

  private KubeletStandIn(Path deviceDir, Duration callTimeout) {
    this.deviceDir = deviceDir;
    this.callTimeout = callTimeout;
  }

  /**
   * Starts a kubelet on {@code deviceDir} (created if missing), cleaning the dir as the kubelet does at start. Start it
   * before the plugins under test: like the kubelet, it deletes their sockets, and a plugin that does not re-serve and
   * re-register on the new {@value #KUBELET_SOCKET} is then unreachable.
   *
   * @throws IOException if the dir cannot be cleaned or the socket cannot be bound
   */
  public static KubeletStandIn start(Path deviceDir) throws IOException {
    return start(deviceDir, DEFAULT_CALL_TIMEOUT);
  }

  static KubeletStandIn start(Path deviceDir, Duration callTimeout) throws IOException {
    KubeletStandIn kubelet = new KubeletStandIn(deviceDir.toAbsolutePath(), callTimeout);
    try {
      Files.createDirectories(kubelet.deviceDir);
      kubelet.serve();
    } catch (IOException | RuntimeException e) {
      kubelet.close();
      throw e;
    }
    return kubelet;
  }

  /** The device-plugin dir this kubelet serves. */
  public Path deviceDir() {
    return deviceDir;
  }

  /** Every Register call received, accepted or refused, in arrival order, across restarts. */
  public List<RegisterCall> registrations() {
    return registry.calls();
  }

  /** How many registrations of {@code resourceName} were accepted, across restarts. */
  public int registrationCount(String resourceName) {
    return registry.acceptedCount(resourceName);
  }

  /** The current registration of {@code resourceName}, if one was accepted since the last (re)start. */
  public Optional<RegisteredPlugin> registration(String resourceName) {
    return registry.current(resourceName);
  }

  /**
   * Waits for a current registration of {@code resourceName} whose ListAndWatch stream delivered a first list.
   *
   * @throws IllegalStateException on timeout, listing the Register calls seen so far
   */
  public RegisteredPlugin awaitRegistration(String resourceName, Duration timeout) {
    return registry.awaitFirstList(resourceName, timeout);
  }

  /**
   * Waits until {@code resourceName} has been registered {@code count} times in all (across restarts) and the latest
   * registration delivered a first list: e.g. {@code count = 2} after a restart or a re-serve.
   *
   * @throws IllegalStateException on timeout, listing the Register calls seen so far
   */
  public RegisteredPlugin awaitRegistrationCount(String resourceName, int count, Duration timeout) {
    return registry.awaitAcceptedCount(resourceName, count, timeout);
  }

  /** {@link #admit(PodRef, String, String, int)} for a pod known by UID only ({@link PodRef#ofUid}). */
  public ContainerAllocateResponse admit(
      String podUid, String container, String resourceName, int count) {
    return admit(
        ledger.pod(podUid).orElseGet(() -> PodRef.ofUid(podUid)), container, resourceName, count);
  }

  /**
   * Admits {@code count} devices of {@code resourceName} for a container, as the kubelet's device manager does: picks
   * among Healthy devices of the current registration that no container holds; if the plugin advertises
   * GetPreferredAllocation and more devices are free than requested, uses its answer (which must name {@code count}
   * distinct free devices), otherwise the first {@code count} in ID order; calls Allocate with them, then
   * PreStartContainer if the plugin requires it. The allocation is recorded only when every call succeeded. A
   * container admitted before gets its recorded response back without a plugin call, as after a container restart.
   *
   * @return the plugin's Allocate answer for the container
   * @throws AdmissionException if too few devices are healthy and free, no plugin serves the resource, the preferred
   *     allocation is invalid, or a plugin call fails (with its gRPC status)
   */
  public ContainerAllocateResponse admit(
      PodRef pod, String container, String resourceName, int count) {
    return admission.admit(pod, container, resourceName, count);
  }

  /**
   * Frees every device held by the pod's containers, as when the kubelet removes a terminated pod.
   *
   * @return the allocations released
   */
  public List<Allocation> release(String podUid) {
    return ledger.release(podUid);
  }

  /** Every recorded allocation, in admission order. */
  public List<Allocation> allocations() {
    return ledger.all();
  }

  /**
   * Calls Allocate on the current registration of {@code resourceName}, one container request per element, recording
   * nothing: for tests of what a plugin answers to bad input.
   *
   * @throws StatusRuntimeException with the plugin's status if the call fails or passes the deadline
   * @throws IllegalStateException if no plugin is registered for the resource
   */
  public AllocateResponse allocate(String resourceName, List<List<String>> deviceIdsPerContainer) {
    return registered(resourceName).allocate(deviceIdsPerContainer);
  }

  /**
   * Calls GetPreferredAllocation for one container on the current registration of {@code resourceName}.
   *
   * @throws StatusRuntimeException with the plugin's status if the call fails or passes the deadline
   * @throws IllegalStateException if no plugin is registered for the resource
   */
  public PreferredAllocationResponse preferredAllocation(
      String resourceName, List<String> available, List<String> mustInclude, int size) {
    return registered(resourceName).preferredAllocation(available, mustInclude, size);
  }

  /**
   * Calls PreStartContainer on the current registration of {@code resourceName}.
   *
   * @throws StatusRuntimeException with the plugin's status if the call fails or passes the deadline
   * @throws IllegalStateException if no plugin is registered for the resource
   */
  public void preStart(String resourceName, List<String> deviceIds) {
    registered(resourceName).preStart(deviceIds);
  }

  /**
   * Restarts the kubelet as a real restart does: the Registration server stops, every plugin stream and channel
   * closes, every non-directory file in the dir except {@value #CHECKPOINT} is deleted, and a new {@value
   * #KUBELET_SOCKET} is served. Allocations are kept; plugins must register again.
   *
   * @return {@link System#nanoTime()} at which the new socket was listening, to measure time to re-registration
   * @throws IOException if the dir cannot be cleaned or the socket cannot be bound
   */
  public synchronized long restart() throws IOException {
    if (closed) {
      throw new IllegalStateException("the kubelet stand-in is closed");
    }
    stopServing(false);
    log.info("kubelet restarting dir={}", deviceDir);
    return serve();
  }

  /** Stops serving and removes {@value #KUBELET_SOCKET}; allocations stay readable. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopServing(true);
    try {
      Files.deleteIfExists(deviceDir.resolve(KUBELET_SOCKET));
    } catch (IOException e) {
      log.warn("could not remove {}: {}", deviceDir.resolve(KUBELET_SOCKET), e.toString());
    }
    transport.close();
  }

  /** The latest device list of every current registration, by resource (for PodResources). */
  Map<String, List<Device>> registeredDevices() {
    return registry.devicesByResource();
  }

  private RegisteredPlugin registered(String resourceName) {
    return registry
        .current(resourceName)
        .orElseThrow(
            () -> new IllegalStateException("no device plugin is registered for " + resourceName));
  }

  private synchronized long serve() throws IOException {
    removeStaleFiles();
    handlers = HandlerThreads.start("kubelet-standin-register");
    server = transport
        .serverBuilder(deviceDir.resolve(KUBELET_SOCKET))
        .executor(handlers)
        .addService(new RegistrationService(
            registry, registry.generation(), transport, deviceDir, callTimeout))
        .build()
        .start();
    return System.nanoTime();
  }

  /**
   * Ends the current kubelet lifetime. On return no Register handler of it is still running and every plugin channel
   * has closed, so nothing of the old lifetime touches state or the event loop afterwards.
   */
  private void stopServing(boolean stop) {
    List<RegisteredPlugin> ended = registry.endGeneration(stop);
    String reason = stop ? "the kubelet stopped" : "the kubelet restarted";
    try {
      if (server != null) {
        // Stopping the server cancels the dial-back calls of Register handlers in flight, so they
        // return quickly.
        server.shutdownNow();
        server.awaitTermination(callTimeout.toNanos(), TimeUnit.NANOSECONDS);
      }
      if (handlers != null && !HandlerThreads.stop(handlers, callTimeout)) {
        log.warn(
            "Register handlers still running {} after the kubelet stopped serving", callTimeout);
      }
      ended.forEach(plugin -> plugin.disconnect(reason));
      for (RegisteredPlugin plugin : ended) {
        plugin.awaitDisconnected(callTimeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      server = null;
      handlers = null;
    }
  }

  /** The kubelet's cleanup at start: plugins watch for it and take it as the signal to register again. */
  private void removeStaleFiles() throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(deviceDir)) {
      for (Path entry : entries) {
        // Like the kubelet's os.Stat: directories (and links to them) stay, and so do entries it
        // cannot stat.
        boolean keep = entry.getFileName().toString().equals(CHECKPOINT)
            || Files.isDirectory(entry)
            || !Files.exists(entry);
        if (!keep) {
          Files.deleteIfExists(entry);
        }
      }
    }
  }
}
