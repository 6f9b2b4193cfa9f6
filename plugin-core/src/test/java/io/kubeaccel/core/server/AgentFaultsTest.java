package io.kubeaccel.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.core.AgentRuntime;
import io.kubeaccel.nvml.NvmlException;
import io.kubeaccel.nvml.NvmlReturn;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.testkit.KubeletStandIn;
import io.kubeaccel.testkit.RegisteredPlugin;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the agent behaves when its surroundings misbehave: no kubelet yet, NVML failing at start or later. */
class AgentFaultsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String RESOURCE = CardPerDevicePlugin.RESOURCE;

  private NodeFixture node;

  @AfterEach
  void stopNode() throws Exception {
    node.close();
  }

  @Test
  void anAgentStartedBeforeTheKubeletRegistersWhenTheKubeletAppears() throws Exception {
    node = new NodeFixture(FakeInventory.fourGpusTwoNumaNvlinkPairs());
    node.startAgent(new CardPerDevicePlugin());
    assertThat(node.socket(RESOURCE)).exists();

    node.kubelet = KubeletStandIn.start(node.deviceDir);

    RegisteredPlugin plugin = node.kubelet.awaitRegistration(RESOURCE, WAIT);
    assertThat(plugin.devices()).hasSize(4);
  }

  @Test
  void nvmlFailingAtStartStopsTheAgentWhenFailOnInitErrorIsSet() throws Exception {
    node = new NodeFixture(driverNotLoaded()).withKubelet();
    assertThatThrownBy(() -> node.startAgent(new CardPerDevicePlugin()))
        .isInstanceOfSatisfying(
            NvmlException.class, e -> assertThat(e.code()).isEqualTo(NvmlReturn.DRIVER_NOT_LOADED));
    assertThat(node.socket(RESOURCE)).doesNotExist();
  }

  @Test
  void nvmlFailingAtStartMeansNoDevicesUntilItAnswersWhenFailOnInitErrorIsOff() throws Exception {
    node = new NodeFixture(driverNotLoaded()).withKubelet();
    node.agent = AgentRuntime.start(
        node.settings(false),
        inventory -> List.of(new CardPerDevicePlugin()),
        AllocationObserver.NONE,
        Clock.systemUTC());
    RegisteredPlugin plugin = node.kubelet.awaitRegistration(RESOURCE, WAIT);
    assertThat(plugin.devices()).isEmpty();

    node.nvml.replaceInventory(FakeInventory.fourGpusTwoNumaNvlinkPairs());

    assertThat(plugin.awaitDevices(devices -> devices.size() == 4, WAIT))
        .allMatch(d -> d.getHealth().equals("Healthy"));
  }

  @Test
  void aFailingEventWaitMarksEveryCardUnhealthyAndTheyRecoverWhenNvmlAnswersAgain()
      throws Exception {
    node = new NodeFixture(FakeInventory.fourGpusTwoNumaNvlinkPairs()).withKubelet();
    node.startAgent(new CardPerDevicePlugin());
    RegisteredPlugin plugin = node.kubelet.awaitRegistration(RESOURCE, WAIT);

    node.nvml.failCalls("nvmlEventSetWait_v2", null, NvmlReturn.UNKNOWN);
    plugin.awaitDevices(
        devices -> devices.stream().allMatch(d -> d.getHealth().equals("Unhealthy")), WAIT);

    node.nvml.clearFailures();
    plugin.awaitDevices(
        devices -> devices.stream().allMatch(d -> d.getHealth().equals("Healthy")), WAIT);
  }

  private static FakeInventory driverNotLoaded() {
    return FakeInventory.fourGpusTwoNumaNvlinkPairs().toBuilder()
        .failure(new FakeInventory.Failure(
            "nvmlInit_v2", FakeInventory.Failure.ANY_GPU, NvmlReturn.DRIVER_NOT_LOADED, 0))
        .build();
  }
}
