package io.kubeaccel.testkit;

import static io.kubeaccel.testkit.TestPlugin.device;
import static io.kubeaccel.testkit.TestPlugin.healthy;
import static io.kubeaccel.testkit.TestPlugin.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kubeaccel.proto.deviceplugin.v1beta1.ContainerAllocateResponse;
import io.kubeaccel.proto.deviceplugin.v1beta1.ContainerPreferredAllocationRequest;
import io.kubeaccel.proto.deviceplugin.v1beta1.Device;
import io.kubeaccel.proto.deviceplugin.v1beta1.DevicePluginOptions;
import io.kubeaccel.proto.deviceplugin.v1beta1.PreferredAllocationResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class KubeletStandInAdmissionTest {

  private static final String GPU = "nvidia.com/gpu";
  private static final Duration WAIT = Duration.ofSeconds(5);

  @TempDir
  Path dir;

  private KubeletStandIn kubelet;
  private final List<TestPlugin> plugins = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (TestPlugin plugin : plugins) {
      plugin.close();
    }
    if (kubelet != null) {
      kubelet.close();
    }
  }

  @Test
  void withoutPreferredAllocationTheFirstHealthyFreeDevicesInIdOrderAreAllocated()
      throws Exception {
    TestPlugin plugin =
        registered(GPU, options(false, false), healthy("G2"), healthy("G0"), healthy("G1"));

    ContainerAllocateResponse response = kubelet.admit("pod-a", "main", GPU, 2);

    assertThat(response.getEnvsMap()).containsEntry("TEST_VISIBLE_DEVICES", "G0,G1");
    assertThat(plugin.allocateRequests)
        .singleElement()
        .satisfies(call -> assertThat(call.getContainerRequests(0).getDevicesIdsList())
            .containsExactly("G0", "G1"));
    assertThat(plugin.callsOf("GetPreferredAllocation")).isZero();
    assertThat(plugin.callsOf("PreStartContainer")).isZero();
    assertThat(kubelet.allocations()).singleElement().satisfies(allocation -> {
      assertThat(allocation.pod()).isEqualTo(PodRef.ofUid("pod-a"));
      assertThat(allocation.container()).isEqualTo("main");
      assertThat(allocation.deviceIds()).containsExactly("G0", "G1");
      assertThat(allocation.response()).isEqualTo(response);
    });
  }

  @Test
  void thePreferredAllocationIsAskedForAndUsedWhenAdvertisedAndMoreDevicesAreFreeThanRequested()
      throws Exception {
    TestPlugin plugin = registered(
        GPU, options(false, true), healthy("G0"), healthy("G1"), healthy("G2"), healthy("G3"));

    kubelet.admit("pod-a", "main", GPU, 2);

    ContainerPreferredAllocationRequest asked =
        plugin.preferredRequests.get(0).getContainerRequests(0);
    assertThat(asked.getAvailableDeviceIDsList()).containsExactly("G0", "G1", "G2", "G3");
    assertThat(asked.getMustIncludeDeviceIDsList()).isEmpty();
    assertThat(asked.getAllocationSize()).isEqualTo(2);
    assertThat(kubelet.allocations().get(0).deviceIds()).containsExactly("G2", "G3");
  }

  @Test
  void thePreferredAllocationIsNotAskedForWhenExactlyTheRequestedNumberIsFree() throws Exception {
    TestPlugin plugin =
        registered(GPU, options(false, true), healthy("G0"), healthy("G1"), healthy("G2"));
    kubelet.admit("pod-a", "main", GPU, 1);

    kubelet.admit("pod-b", "main", GPU, 2);

    assertThat(plugin.callsOf("GetPreferredAllocation")).isEqualTo(1);
    assertThat(kubelet.allocations().get(1).deviceIds()).containsExactly("G0", "G1");
  }

  @Test
  void aPreferredAllocationOutsideTheAvailableSetFailsAdmissionAndRecordsNothing()
      throws Exception {
    TestPlugin plugin =
        registered(GPU, options(false, true), healthy("G0"), healthy("G1"), healthy("G2"));
    plugin.preference = available -> List.of("G1", "G9");

    assertThatThrownBy(() -> kubelet.admit("pod-a", "main", GPU, 2))
        .isInstanceOf(AdmissionException.class)
        .hasMessageContaining(
            "answered [G1, G9]: want 2 distinct IDs from the available set, not available: [G9]");
    assertThat(plugin.callsOf("Allocate")).isZero();
    assertThat(kubelet.allocations()).isEmpty();
  }

  @Test
  void aPreferredAllocationOfTheWrongSizeFailsAdmission() throws Exception {
    TestPlugin plugin =
        registered(GPU, options(false, true), healthy("G0"), healthy("G1"), healthy("G2"));
    plugin.preference = available -> List.of("G1");

    assertThatThrownBy(() -> kubelet.admit("pod-a", "main", GPU, 2))
        .isInstanceOf(AdmissionException.class)
        .hasMessageContaining("answered [G1]: want 2 distinct IDs");
    assertThat(kubelet.allocations()).isEmpty();
  }

  @Test
  void preStartIsCalledWithTheAllocatedDevicesOnlyWhenThePluginRequiresIt() throws Exception {
    TestPlugin requiring =
        registered("example.com/a", options(true, false), healthy("A0"), healthy("A1"));
    TestPlugin notRequiring = registered("example.com/b", options(false, false), healthy("B0"));

    kubelet.admit("pod-a", "main", "example.com/a", 2);
    kubelet.admit("pod-a", "main", "example.com/b", 1);

    assertThat(requiring.calls).endsWith("Allocate", "PreStartContainer");
    assertThat(requiring.preStartRequests.get(0).getDevicesIdsList()).containsExactly("A0", "A1");
    assertThat(notRequiring.callsOf("PreStartContainer")).isZero();
  }

  @Test
  void unhealthyDevicesAreNeverAdmitted() throws Exception {
    // Any health string other than "Healthy" is unhealthy to the kubelet, including a lower-case
    // one.
    registered(
        GPU,
        options(false, false),
        device("G0", "Unhealthy", 0),
        healthy("G1"),
        device("G2", "healthy", 0));

    kubelet.admit("pod-a", "main", GPU, 1);

    assertThat(kubelet.allocations().get(0).deviceIds()).containsExactly("G1");
    assertThatThrownBy(() -> kubelet.admit("pod-b", "main", GPU, 1))
        .isInstanceOfSatisfying(
            AdmissionException.class, e -> assertThat(e.status()).isEmpty())
        .hasMessage("insufficient nvidia.com/gpu: requested 1, 0 healthy and free");
  }

  @Test
  void devicesHeldByAPodAreNotAdmittedAgainUntilThePodIsReleased() throws Exception {
    registered(GPU, options(false, false), healthy("G0"), healthy("G1"));
    kubelet.admit("pod-a", "main", GPU, 1);

    assertThatThrownBy(() -> kubelet.admit("pod-b", "main", GPU, 3))
        .hasMessage("insufficient nvidia.com/gpu: requested 3, 1 healthy and free");
    kubelet.admit("pod-b", "main", GPU, 1);
    assertThatThrownBy(() -> kubelet.admit("pod-c", "main", GPU, 1))
        .isInstanceOf(AdmissionException.class);

    List<Allocation> released = kubelet.release("pod-a");
    assertThat(released)
        .singleElement()
        .satisfies(a -> assertThat(a.deviceIds()).containsExactly("G0"));
    kubelet.admit("pod-c", "main", GPU, 1);
    assertThat(kubelet.allocations())
        .extracting(a -> a.pod().uid())
        .containsExactly("pod-b", "pod-c");
  }

  @Test
  void aFailedAllocateFailsAdmissionWithThePluginsStatusAndRecordsNothing() throws Exception {
    TestPlugin plugin = registered(GPU, options(true, false), healthy("G0"));
    plugin.allocateFailure = Status.INTERNAL.withDescription("driver gone");

    assertThatThrownBy(() -> kubelet.admit("pod-a", "main", GPU, 1))
        .isInstanceOfSatisfying(
            AdmissionException.class,
            e -> assertThat(e.status().map(Status::getCode)).contains(Status.Code.INTERNAL))
        .hasMessageContaining("Allocate failed for pod=default/pod-a (uid pod-a) container=main")
        .hasMessageEndingWith("INTERNAL: driver gone");
    assertThat(plugin.callsOf("PreStartContainer")).isZero();
    assertThat(kubelet.allocations()).isEmpty();

    plugin.allocateFailure = null;
    kubelet.admit("pod-a", "main", GPU, 1);
    assertThat(kubelet.allocations()).hasSize(1);
  }

  @Test
  void aContainerAdmittedAgainGetsItsRecordedResponseWithoutAnotherAllocate() throws Exception {
    TestPlugin plugin = registered(GPU, options(false, false), healthy("G0"), healthy("G1"));
    ContainerAllocateResponse first = kubelet.admit("pod-a", "main", GPU, 1);

    assertThat(kubelet.admit("pod-a", "main", GPU, 1)).isEqualTo(first);
    assertThat(plugin.callsOf("Allocate")).isEqualTo(1);
    assertThatThrownBy(() -> kubelet.admit("pod-a", "main", GPU, 2))
        .hasMessageContaining("changed its request for nvidia.com/gpu from 1 to 2");
  }

  @Test
  void admittingAResourceNoPluginServesFails() throws Exception {
    kubelet = KubeletStandIn.start(dir);

    assertThatThrownBy(() -> kubelet.admit("pod-a", "main", GPU, 1))
        .isInstanceOf(AdmissionException.class)
        .hasMessage("no device plugin is registered for nvidia.com/gpu");
  }

  @Test
  void rawCallsPassThePluginsErrorsThroughUnchanged() throws Exception {
    TestPlugin plugin = registered(GPU, options(false, true), healthy("G0"));

    assertThatThrownBy(() -> kubelet.allocate(GPU, List.of(List.of("G0"), List.of("G7", "G9"))))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessage("INVALID_ARGUMENT: unknown device IDs [G7, G9]");
    PreferredAllocationResponse preferred =
        kubelet.preferredAllocation(GPU, List.of("G0"), List.of(), 1);
    assertThat(preferred.getContainerResponses(0).getDeviceIDsList()).containsExactly("G0");
    kubelet.preStart(GPU, List.of("G0"));
    assertThat(plugin.preStartRequests.get(0).getDevicesIdsList()).containsExactly("G0");
    assertThat(kubelet.allocations()).isEmpty();
    assertThatThrownBy(() -> kubelet.allocate("example.com/none", List.of(List.of("X"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("no device plugin is registered for example.com/none");
  }

  @Test
  void aPluginThatNeverAnswersFailsTheCallAtItsDeadlineInsteadOfHanging() throws Exception {
    kubelet = KubeletStandIn.start(dir, Duration.ofMillis(300));
    TestPlugin plugin = served(GPU, options(false, false), healthy("G0"));
    plugin.allocateHangs = true;

    assertThatThrownBy(() -> kubelet.admit("pod-a", "main", GPU, 1))
        .isInstanceOfSatisfying(
            AdmissionException.class,
            e -> assertThat(e.status().map(Status::getCode))
                .contains(Status.Code.DEADLINE_EXCEEDED));
    RegisteredPlugin registered = kubelet.awaitRegistration(GPU, WAIT);
    assertThatThrownBy(() -> registered.allocate(List.of(List.of("G0"))))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    assertThat(kubelet.allocations()).isEmpty();
  }

  /** Starts the kubelet if needed, then serves and registers a plugin and waits for its first device list. */
  private TestPlugin registered(String resource, DevicePluginOptions options, Device... devices)
      throws IOException {
    if (kubelet == null) {
      kubelet = KubeletStandIn.start(dir);
    }
    return served(resource, options, devices);
  }

  private TestPlugin served(String resource, DevicePluginOptions options, Device... devices)
      throws IOException {
    String socket = resource.replaceAll("[^a-z0-9]", "-") + ".sock";
    TestPlugin plugin = TestPlugin.serve(dir.resolve(socket), options, List.of(devices));
    plugins.add(plugin);
    plugin.register(resource);
    kubelet.awaitRegistration(resource, WAIT);
    return plugin;
  }
}
