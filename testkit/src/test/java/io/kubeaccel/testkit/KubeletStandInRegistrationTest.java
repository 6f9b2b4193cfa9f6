package io.kubeaccel.testkit;

import static io.kubeaccel.testkit.TestPlugin.device;
import static io.kubeaccel.testkit.TestPlugin.healthy;
import static io.kubeaccel.testkit.TestPlugin.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kubeaccel.proto.deviceplugin.v1beta1.Device;
import io.kubeaccel.proto.deviceplugin.v1beta1.RegisterRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class KubeletStandInRegistrationTest {

  private static final String GPU = "nvidia.com/gpu";
  private static final Duration WAIT = Duration.ofSeconds(5);

  @TempDir
  Path dir;

  @Test
  void thePluginIsAskedForItsOptionsWhileItsRegisterCallIsStillInFlight() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    try (KubeletStandIn kubelet = KubeletStandIn.start(dir);
        TestPlugin plugin = TestPlugin.serve(
            dir.resolve("gpu.sock"), options(true, true), List.of(healthy("G0")))) {
      plugin.onOptions =
          () -> events.add("options asked, accepted so far: " + kubelet.registrationCount(GPU));
      plugin.register(GPU);
      events.add("Register returned");

      assertThat(events).containsExactly("options asked, accepted so far: 0", "Register returned");
      RegisteredPlugin registered = kubelet.awaitRegistration(GPU, WAIT);
      assertThat(registered.options()).isEqualTo(options(true, true));
      assertThat(registered.request().getEndpoint()).isEqualTo("gpu.sock");
      assertThat(plugin.calls).startsWith("GetDevicePluginOptions", "ListAndWatch");
    }
  }

  @Test
  void theFirstDeviceListAndEveryChangeAfterItAreVisibleThroughOneStream() throws Exception {
    try (KubeletStandIn kubelet = KubeletStandIn.start(dir);
        TestPlugin plugin = TestPlugin.serve(
            dir.resolve("gpu.sock"),
            options(false, false),
            List.of(healthy("G0"), healthy("G1")))) {
      plugin.register(GPU);
      RegisteredPlugin registered = kubelet.awaitRegistration(GPU, WAIT);
      assertThat(registered.devices()).extracting(Device::getID).containsExactly("G0", "G1");
      assertThat(registered.updatesReceived()).isEqualTo(1);
      long first = registered.lastUpdateNanos();

      plugin.setDevices(List.of(healthy("G0"), device("G1", "Unhealthy", 0)));
      List<Device> seen =
          registered.awaitDevices(devices -> devices.contains(device("G1", "Unhealthy", 0)), WAIT);

      assertThat(seen).hasSize(2);
      assertThat(registered.updatesReceived()).isEqualTo(2);
      assertThat(registered.lastUpdateNanos()).isGreaterThan(first);
      assertThat(registered.isConnected()).isTrue();
      assertThat(plugin.callsOf("ListAndWatch")).isEqualTo(1);
    }
  }

  @Test
  void aPluginThatRegistersBeforeServingIsRefused() throws Exception {
    try (KubeletStandIn kubelet = KubeletStandIn.start(dir);
        TestPlugin plugin = TestPlugin.create(
            dir.resolve("gpu.sock"), options(false, false), List.of(healthy("G0")))) {
      assertThatThrownBy(() -> plugin.register(GPU))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
            assertThat(e.getStatus().getDescription())
                .startsWith("failed to get device plugin options: UNAVAILABLE");
          });

      assertThat(kubelet.registration(GPU)).isEmpty();
      assertThat(kubelet.registrationCount(GPU)).isZero();
      assertThat(kubelet.registrations())
          .singleElement()
          .satisfies(call -> assertThat(call.accepted()).isFalse());
    }
  }

  @Test
  void aRegistrationWithAnotherApiVersionIsRefusedWithoutDiallingThePlugin() throws Exception {
    try (KubeletStandIn kubelet = KubeletStandIn.start(dir);
        TestPlugin plugin = TestPlugin.serve(
            dir.resolve("gpu.sock"), options(false, false), List.of(healthy("G0")))) {
      RegisterRequest oldVersion = RegisterRequest.newBuilder()
          .setVersion("v1alpha")
          .setEndpoint("gpu.sock")
          .setResourceName(GPU)
          .build();

      assertThatThrownBy(() -> plugin.register(oldVersion))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
            assertThat(e.getStatus().getDescription())
                .isEqualTo(
                    "requested API version \"v1alpha\" is not supported by kubelet. Supported version is"
                        + " \"v1beta1\"");
          });
      assertThat(plugin.calls).isEmpty();
      assertThat(kubelet.registrations())
          .singleElement()
          .satisfies(call -> assertThat(call.accepted()).isFalse());
    }
  }

  @Test
  void aRegistrationOfANameInTheKubernetesIoDomainIsRefused() throws Exception {
    try (KubeletStandIn kubelet = KubeletStandIn.start(dir);
        TestPlugin plugin = TestPlugin.serve(
            dir.resolve("gpu.sock"), options(false, false), List.of(healthy("G0")))) {
      assertThatThrownBy(() -> plugin.register("kubernetes.io/gpu"))
          .isInstanceOf(StatusRuntimeException.class)
          .hasMessage("UNKNOWN: the ResourceName \"kubernetes.io/gpu\" is invalid");
      assertThat(plugin.calls).isEmpty();
      assertThat(kubelet.registrationCount("kubernetes.io/gpu")).isZero();
    }
  }

  @Test
  void aNewRegistrationOfTheSameResourceReplacesTheEarlierOneAndClosesItsStream() throws Exception {
    try (KubeletStandIn kubelet = KubeletStandIn.start(dir);
        TestPlugin first =
            TestPlugin.serve(dir.resolve("a.sock"), options(false, false), List.of(healthy("A0")));
        TestPlugin second = TestPlugin.serve(
            dir.resolve("b.sock"), options(false, false), List.of(healthy("B0")))) {
      first.register(GPU);
      RegisteredPlugin earlier = kubelet.awaitRegistration(GPU, WAIT);
      second.register(GPU);
      RegisteredPlugin later = kubelet.awaitRegistration(GPU, WAIT);

      assertThat(later.request().getEndpoint()).isEqualTo("b.sock");
      assertThat(later.devices()).extracting(Device::getID).containsExactly("B0");
      assertThat(first.streamCancelled.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(earlier.isConnected()).isFalse();
      assertThatThrownBy(() -> earlier.awaitDevices(devices -> false, WAIT))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("replaced by a registration on endpoint b.sock");
      assertThat(kubelet.registrationCount(GPU)).isEqualTo(2);
    }
  }

  @Test
  void aStreamEndedByThePluginStopsWaitersAtOnceAndLeavesNothingToAdmit() throws Exception {
    try (KubeletStandIn kubelet = KubeletStandIn.start(dir);
        TestPlugin plugin = TestPlugin.serve(
            dir.resolve("gpu.sock"), options(false, false), List.of(healthy("G0")))) {
      plugin.register(GPU);
      RegisteredPlugin registered = kubelet.awaitRegistration(GPU, WAIT);

      plugin.endStreams();

      assertThatThrownBy(() -> registered.awaitDevices(List::isEmpty, Duration.ofSeconds(20)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("the plugin ended its ListAndWatch stream");
      assertThatThrownBy(() -> kubelet.admit("pod-a", "main", GPU, 1))
          .isInstanceOf(AdmissionException.class)
          .hasMessageStartingWith(
              "insufficient nvidia.com/gpu: requested 1, 0 healthy and free (plugin disconnected");
    }
  }

  @Test
  void waitingForARegistrationThatNeverComesTimesOutNamingTheCallsSeen() throws Exception {
    try (KubeletStandIn kubelet = KubeletStandIn.start(dir);
        TestPlugin plugin = TestPlugin.serve(
            dir.resolve("gpu.sock"), options(false, false), List.of(healthy("G0")))) {
      assertThatThrownBy(() -> plugin.register("gpu")).isInstanceOf(StatusRuntimeException.class);

      assertThatThrownBy(() -> kubelet.awaitRegistration(GPU, Duration.ofMillis(200)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("timed out after PT0.2S")
          .hasMessageContaining("gpu at gpu.sock refused: the ResourceName \"gpu\" is invalid");
    }
  }
}
