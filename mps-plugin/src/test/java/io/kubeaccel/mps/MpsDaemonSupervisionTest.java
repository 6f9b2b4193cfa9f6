package io.kubeaccel.mps;

import static io.kubeaccel.mps.MpsNode.CORE;
import static io.kubeaccel.mps.MpsNode.MEMORY;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.core.inventory.Health;
import io.kubeaccel.core.inventory.Inventory;
import io.kubeaccel.core.inventory.InventoryStore;
import io.kubeaccel.core.inventory.NumaLocator;
import io.kubeaccel.core.inventory.NvmlInventoryReader;
import io.kubeaccel.core.kube.InMemoryNodeApi.Event;
import io.kubeaccel.mps.daemon.MpsDaemonSettings;
import io.kubeaccel.mps.daemon.MpsDaemonSupervisor;
import io.kubeaccel.nvml.ComputeMode;
import io.kubeaccel.nvml.Nvml;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.proto.deviceplugin.v1beta1.Device;
import io.kubeaccel.testkit.Await;
import io.kubeaccel.testkit.FakeMpsControl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The MPS control daemon under the agent: compute mode, start, health checks, restarts, clean shutdown. */
class MpsDaemonSupervisionTest {

  private static final String HEALTH_CHECK = "get_default_active_thread_percentage";
  private static final Predicate<List<Device>> ALL_HEALTHY = devices ->
      !devices.isEmpty() && devices.stream().allMatch(d -> d.getHealth().equals("Healthy"));
  private static final Predicate<List<Device>> ALL_UNHEALTHY = devices ->
      !devices.isEmpty() && devices.stream().allMatch(d -> d.getHealth().equals("Unhealthy"));

  private MpsNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void atStartEveryCardIsExclusiveProcessAndTheDaemonRunsInTheAgentsDirectories() throws Exception {
    node = new MpsNode(FakeInventory.fourGpusTwoNumaNvlinkPairs()).startAgent();

    assertThat(node.nvml.computeModes().values()).containsOnly(ComputeMode.EXCLUSIVE_PROCESS);
    assertThat(FakeMpsControl.daemonPid(node.pipe())).isPresent();
    assertThat(FakeMpsControl.commands(node.pipe())).first().isEqualTo(HEALTH_CHECK);
    assertThat(node.options.logDirectory().resolve("control.log")).exists();
    assertThat(mode(node.options.pipeDirectory())).isEqualTo("rwxr-xr-x");
    assertThat(mode(node.options.logDirectory())).isEqualTo("rwx------");
    assertThat(Files.getAttribute(node.options.shmDirectory(), "unix:mode"))
        .isEqualTo(0041777); // a directory, sticky, world-writable: as /dev/shm
    assertThat(node.supervisor.running()).isTrue();
    assertThat(
            ALL_HEALTHY.test(node.kubelet.awaitRegistration(CORE, MpsNode.WAIT).devices()))
        .isTrue();
  }

  @Test
  void theDaemonIsHealthCheckedPeriodically() throws Exception {
    node = new MpsNode(
            FakeInventory.fourGpusTwoNumaNvlinkPairs(),
            settings -> settings.withCheckInterval(Duration.ofMillis(100)))
        .startAgent();

    Await.until("three health checks", MpsNode.WAIT, () -> checks() >= 3);
    assertThat(FakeMpsControl.commands(node.pipe())).containsOnly(HEALTH_CHECK);
  }

  @Test
  void aKilledDaemonIsBackWithinTwoSecondsAndTheKubeletSeesTheCardsUnhealthyThenHealthy()
      throws Exception {
    node = new MpsNode(FakeInventory.fourGpusTwoNumaNvlinkPairs()).startAgent();
    List<String> reasons = new CopyOnWriteArrayList<>();
    node.agent
        .inventory()
        .subscribe(inventory ->
            reasons.add(inventory.health(node.nvml.inventory().gpu(0).uuid()).reason()));
    long killed = FakeMpsControl.killDaemon(node.pipe());

    Duration back = Await.until(
        "a new daemon answers",
        MpsNode.WAIT,
        () -> FakeMpsControl.daemonPid(node.pipe()).filter(pid -> pid != killed).isPresent());
    assertThat(back).isLessThan(Duration.ofSeconds(2));
    for (String resource : List.of(CORE, MEMORY)) {
      node.kubelet
          .awaitRegistration(resource, MpsNode.WAIT)
          .awaitDevices(ALL_UNHEALTHY, MpsNode.WAIT);
    }
    for (String resource : List.of(CORE, MEMORY)) {
      node.kubelet
          .awaitRegistration(resource, MpsNode.WAIT)
          .awaitDevices(ALL_HEALTHY, MpsNode.WAIT);
    }
    assertThat(reasons)
        .anySatisfy(reason -> assertThat(reason)
            .startsWith(MpsDaemonSupervisor.DOWN)
            .contains("Cannot find MPS control daemon process"));
    assertThat(node.api.events())
        .extracting(Event::reason)
        .containsSubsequence("MpsDaemonDown", "MpsDaemonRestarted");
    assertThat(FakeMpsControl.recorded(node.pipe()))
        .filteredOn(line -> line.startsWith("# started"))
        .hasSize(2);
  }

  /** The health checks the fake control program has been sent so far. */
  private int healthChecks() {
    return (int) FakeMpsControl.commands(node.pipe()).stream()
        .filter(HEALTH_CHECK::equals)
        .count();
  }

  /** The inventory the agent would read on {@code node}. */
  private static Inventory inventoryOf(MpsNode node) throws Exception {
    try (Nvml nvml = Nvml.open(node.nvml.libraryPath())) {
      return new NvmlInventoryReader(new NumaLocator(node.nvml.sysfsRoot()), Clock.systemUTC())
          .read(nvml);
    }
  }

  @Test
  void aCardAnotherModesContainersHoldIsSwitchedOnlyOnceTheyReleaseIt() throws Exception {
    node = new MpsNode(FakeInventory.fourGpusTwoNumaNvlinkPairs());
    Inventory read = inventoryOf(node);
    List<String> uuids = read.gpus().stream().map(gpu -> gpu.uuid()).toList();
    String held = uuids.get(1);
    Set<String> heldNow = ConcurrentHashMap.newKeySet();
    heldNow.add(held);
    try (MpsDaemonSupervisor supervisor = new MpsDaemonSupervisor(
        node.options.daemonSettings(),
        node.nvml.libraryPath(),
        node.api,
        inventory -> Optional.of(Set.copyOf(heldNow)),
        Clock.systemUTC())) {
      supervisor.start(uuids);
      supervisor.attach(new InventoryStore(read));

      assertThat(node.nvml.computeModes())
          .containsEntry(uuids.get(0), ComputeMode.EXCLUSIVE_PROCESS)
          .containsEntry(held, ComputeMode.DEFAULT)
          .containsEntry(uuids.get(3), ComputeMode.EXCLUSIVE_PROCESS);

      heldNow.clear(); // the other mode's containers end
      Await.until(
          "the released card switched after the next health check",
          MpsNode.WAIT,
          () -> node.nvml.computeModes().get(held) == ComputeMode.EXCLUSIVE_PROCESS);
    }
    assertThat(node.nvml.computeModes().values()).containsOnly(ComputeMode.DEFAULT);
  }

  @Test
  void noCardIsSwitchedWhilePodResourcesCannotTellWhichAreHeld() throws Exception {
    node = new MpsNode(FakeInventory.fourGpusTwoNumaNvlinkPairs());
    Inventory read = inventoryOf(node);
    List<String> uuids = read.gpus().stream().map(gpu -> gpu.uuid()).toList();
    AtomicBoolean known = new AtomicBoolean(false);
    try (MpsDaemonSupervisor supervisor = new MpsDaemonSupervisor(
        node.options.daemonSettings(),
        node.nvml.libraryPath(),
        node.api,
        inventory -> known.get() ? Optional.of(Set.of()) : Optional.empty(),
        Clock.systemUTC())) {
      supervisor.start(uuids);
      supervisor.attach(
          new InventoryStore(read)); // a late NVML start replaces it: the same question
      int checks = healthChecks();
      Await.until(
          "two more health checks, each followed by the compute-mode question",
          MpsNode.WAIT,
          () -> healthChecks() >= checks + 2);

      assertThat(node.nvml.computeModes().values()).containsOnly(ComputeMode.DEFAULT);
      known.set(true);
      Await.until(
          "every card switched once PodResources answers",
          MpsNode.WAIT,
          () -> node.nvml.computeModes().values().stream()
              .allMatch(mode -> mode == ComputeMode.EXCLUSIVE_PROCESS));
    }
  }

  @Test
  void aCardStillHeldAtShutdownIsNeverTouched() throws Exception {
    node = new MpsNode(FakeInventory.fourGpusTwoNumaNvlinkPairs());
    Inventory read = inventoryOf(node);
    List<String> uuids = read.gpus().stream().map(gpu -> gpu.uuid()).toList();
    // What the other mode's node had: an admin's setting the MPS agent must leave alone.
    node.nvml.setComputeMode(uuids.get(2), ComputeMode.PROHIBITED);
    MpsDaemonSupervisor supervisor = new MpsDaemonSupervisor(
        node.options.daemonSettings(),
        node.nvml.libraryPath(),
        node.api,
        inventory -> Optional.of(Set.of(uuids.get(2))),
        Clock.systemUTC());
    supervisor.start(uuids);
    supervisor.attach(new InventoryStore(read));
    assertThat(node.nvml.computeModes()).containsEntry(uuids.get(2), ComputeMode.PROHIBITED);
    supervisor.close();

    assertThat(node.nvml.computeModes())
        .containsEntry(uuids.get(0), ComputeMode.DEFAULT)
        .containsEntry(uuids.get(2), ComputeMode.PROHIBITED);
  }

  @Test
  void aCardAGpuResetPutBackToDefaultIsSwitchedAgain() throws Exception {
    node = new MpsNode(FakeInventory.fourGpusTwoNumaNvlinkPairs()).startAgent();
    String uuid = node.nvml.inventory().gpus().get(0).uuid();
    assertThat(node.nvml.computeModes()).containsEntry(uuid, ComputeMode.EXCLUSIVE_PROCESS);

    node.nvml.setComputeMode(uuid, ComputeMode.DEFAULT);

    Await.until(
        "the card back in EXCLUSIVE_PROCESS after the next health check",
        MpsNode.WAIT,
        () -> node.nvml.computeModes().get(uuid) == ComputeMode.EXCLUSIVE_PROCESS);
  }

  @Test
  void aCleanShutdownSendsQuitAndPutsTheCardsBackToDefaultComputeMode() throws Exception {
    node = new MpsNode(FakeInventory.fourGpusTwoNumaNvlinkPairs()).startAgent();
    long pid = FakeMpsControl.daemonPid(node.pipe()).orElseThrow();

    node.stopAgent();

    assertThat(FakeMpsControl.commands(node.pipe())).last().isEqualTo("quit");
    assertThat(FakeMpsControl.recorded(node.pipe())).last().isEqualTo("# stopped pid=" + pid);
    assertThat(FakeMpsControl.daemonPid(node.pipe())).isEmpty();
    assertThat(Files.readString(node.nvml.computeModeFile())).doesNotContain("EXCLUSIVE_PROCESS");
    assertThat(node.nvml.computeModes().values()).containsOnly(ComputeMode.DEFAULT);
  }

  @Test
  void aDaemonAlreadyRunningIsAdoptedNotStartedTwice() throws Exception {
    node = new MpsNode(FakeInventory.fourGpusTwoNumaNvlinkPairs());
    ProcessBuilder daemon = new ProcessBuilder(node.options.control(), "-d").inheritIO();
    daemon.environment().put("CUDA_MPS_PIPE_DIRECTORY", node.pipe().toString());
    daemon
        .environment()
        .put("CUDA_MPS_LOG_DIRECTORY", node.options.logDirectory().toString());
    assertThat(daemon.start().waitFor()).isZero();
    long pid = FakeMpsControl.daemonPid(node.pipe()).orElseThrow();

    node.startAgent();

    assertThat(FakeMpsControl.daemonPid(node.pipe())).contains(pid);
    assertThat(FakeMpsControl.recorded(node.pipe()))
        .filteredOn(line -> line.startsWith("# started"))
        .containsExactly("# started pid=" + pid);
  }

  @Test
  void aControlProgramThatCannotRunLeavesTheCardsUnhealthyAndTheAgentServing() throws Exception {
    node = new MpsNode(
        FakeInventory.fourGpusTwoNumaNvlinkPairs(),
        settings -> new MpsDaemonSettings(
            "/nonexistent/nvidia-cuda-mps-control",
            settings.pipeDirectory(),
            settings.logDirectory(),
            settings.checkInterval(),
            settings.commandTimeout(),
            settings.startTimeout(),
            settings.stopTimeout(),
            settings.minBackoff(),
            settings.maxBackoff()));
    node.startAgent();

    node.kubelet.awaitRegistration(CORE, MpsNode.WAIT).awaitDevices(ALL_UNHEALTHY, MpsNode.WAIT);
    Health health =
        node.agent.inventory().current().health(node.nvml.inventory().gpu(0).uuid());
    assertThat(health.reason())
        .startsWith(MpsDaemonSupervisor.DOWN)
        .contains("cannot run /nonexistent/nvidia-cuda-mps-control -d");
    assertThat(node.api.events()).extracting(Event::reason).contains("MpsDaemonStartFailed");
    assertThat(node.supervisor.running()).isFalse();
  }

  @Test
  void anXidOutlivesTheDaemonsRecovery() throws Exception {
    node = new MpsNode(FakeInventory.fourGpusTwoNumaNvlinkPairs()).startAgent();
    String faulty = node.nvml.inventory().gpu(0).uuid();
    node.nvml.injectXid(faulty, 79);
    Await.until(
        "the XID marks its card",
        MpsNode.WAIT,
        () -> !node.agent.inventory().current().health(faulty).healthy());

    long killed = FakeMpsControl.killDaemon(node.pipe());
    Await.until(
        "a new daemon answers",
        MpsNode.WAIT,
        () -> FakeMpsControl.daemonPid(node.pipe()).filter(pid -> pid != killed).isPresent());
    List<Device> devices = node.kubelet
        .awaitRegistration(CORE, MpsNode.WAIT)
        .awaitDevices(
            list -> list.stream()
                    .filter(d -> !d.getID().startsWith(faulty))
                    .allMatch(d -> d.getHealth().equals("Healthy"))
                && node.supervisor.running(),
            MpsNode.WAIT);

    assertThat(devices)
        .filteredOn(d -> d.getID().startsWith(faulty))
        .extracting(Device::getHealth)
        .containsOnly("Unhealthy");
    assertThat(node.agent.inventory().current().health(faulty).reason()).isEqualTo("XID 79");
  }

  private long checks() {
    return FakeMpsControl.commands(node.pipe()).stream()
        .filter(HEALTH_CHECK::equals)
        .count();
  }

  private static String mode(Path dir) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(dir));
  }
}
