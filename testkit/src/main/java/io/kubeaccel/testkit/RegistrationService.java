package io.kubeaccel.testkit;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.kubeaccel.proto.UnixSocketTransport;
import io.kubeaccel.proto.deviceplugin.v1beta1.DevicePluginGrpc;
import io.kubeaccel.proto.deviceplugin.v1beta1.DevicePluginOptions;
import io.kubeaccel.proto.deviceplugin.v1beta1.Empty;
import io.kubeaccel.proto.deviceplugin.v1beta1.RegisterRequest;
import io.kubeaccel.proto.deviceplugin.v1beta1.RegistrationGrpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's Register handler for one lifetime of {@code kubelet.sock}: validate, dial the plugin back and ask its
 * options while the plugin waits for the answer, then answer and open the registration's ListAndWatch stream.
 *
 * <p>Unlike the kubelet, which retries dialling a missing socket for up to 10 s, the stand-in refuses at once when the
 * plugin is not serving yet: a plugin that registers before serving has an ordering bug, and a test should say so
 * every time rather than when the scheduler happens to be slow.
 */
final class RegistrationService extends RegistrationGrpc.RegistrationImplBase {

  private static final Logger log = LoggerFactory.getLogger(RegistrationService.class);

  private final PluginRegistry registry;
  private final int generation;
  private final UnixSocketTransport transport;
  private final Path deviceDir;
  private final Duration callTimeout;

  RegistrationService(
      PluginRegistry registry,
      int generation,
      UnixSocketTransport transport,
      Path deviceDir,
      Duration callTimeout) {
    this.registry = registry;
    this.generation = generation;
    this.transport = transport;
    this.deviceDir = deviceDir;
    this.callTimeout = callTimeout;
  }

  @Override
  public void register(RegisterRequest request, StreamObserver<Empty> response) {
    long received = System.nanoTime();
    Optional<String> problem = RegisterRequestRules.problem(request);
    if (problem.isPresent()) {
      refuse(request, received, Status.UNKNOWN.withDescription(problem.get()), response);
      return;
    }
    ManagedChannel channel = transport.channel(deviceDir.resolve(request.getEndpoint()));
    DevicePluginOptions options;
    try {
      options = DevicePluginGrpc.newBlockingStub(channel)
          .withDeadlineAfter(callTimeout)
          .getDevicePluginOptions(Empty.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      closeAndAwait(channel);
      String why = "failed to get device plugin options: " + StatusText.describe(e.getStatus());
      refuse(request, received, Status.UNKNOWN.withDescription(why), response);
      return;
    }
    RegisteredPlugin plugin =
        new RegisteredPlugin(request, received, options, channel, callTimeout, registry.monitor());
    Optional<RegisteredPlugin> replaced;
    try {
      replaced = registry.install(plugin, generation);
    } catch (IllegalStateException restarted) {
      plugin.disconnect(restarted.getMessage());
      closeAndAwait(channel);
      refuse(
          request, received, Status.UNAVAILABLE.withDescription(restarted.getMessage()), response);
      return;
    }
    replaced.ifPresent(
        old -> old.disconnect("replaced by a registration on endpoint " + request.getEndpoint()));
    log.info(
        "registered resource={} endpoint={} preStartRequired={} preferredAllocation={}",
        request.getResourceName(),
        request.getEndpoint(),
        options.getPreStartRequired(),
        options.getGetPreferredAllocationAvailable());
    response.onNext(Empty.getDefaultInstance());
    response.onCompleted();
    plugin.openStream();
  }

  private void closeAndAwait(ManagedChannel channel) {
    try {
      channel.shutdownNow().awaitTermination(callTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void refuse(
      RegisterRequest request, long received, Status status, StreamObserver<Empty> response) {
    registry.refused(new RegisterCall(request, received, status));
    log.info(
        "registration refused resource={} endpoint={} reason={}",
        request.getResourceName(),
        request.getEndpoint(),
        status.getDescription());
    response.onError(status.asRuntimeException());
  }
}
