package io.kubeaccel.testkit;

import static io.kubeaccel.testkit.TestPlugin.healthy;
import static io.kubeaccel.testkit.TestPlugin.options;
import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.StatusRuntimeException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class KubeletStandInRestartTest {

  private static final String GPU = "nvidia.com/gpu";
  private static final Duration WAIT = Duration.ofSeconds(5);

  @TempDir
  Path dir;

  @Test
  void restartDeletesEveryFileButTheCheckpointAndDirectoriesAndServesAFreshKubeletSock()
      throws Exception {
    try (KubeletStandIn kubelet = KubeletStandIn.start(dir);
        TestPlugin plugin = TestPlugin.serve(
            dir.resolve("gpu.sock"), options(false, false), List.of(healthy("G0")));
        WatchService watcher = FileSystems.getDefault().newWatchService()) {
      plugin.register(GPU);
      kubelet.awaitRegistration(GPU, WAIT);
      Files.writeString(dir.resolve(KubeletStandIn.CHECKPOINT), "{\"Data\":{}}");
      Files.writeString(dir.resolve("leftover.txt"), "not a socket, deleted all the same");
      Files.createDirectories(dir.resolve("sub"));
      Files.writeString(dir.resolve("sub/kept.sock"), "inside a directory");
      dir.register(watcher, ENTRY_CREATE, ENTRY_DELETE);

      long listening = kubelet.restart();

      assertThat(awaitEvent(watcher, ENTRY_CREATE, KubeletStandIn.KUBELET_SOCKET))
          .isTrue();
      assertThat(dir.resolve("gpu.sock")).doesNotExist();
      assertThat(dir.resolve("leftover.txt")).doesNotExist();
      assertThat(dir.resolve(KubeletStandIn.CHECKPOINT)).hasContent("{\"Data\":{}}");
      assertThat(dir.resolve("sub/kept.sock")).exists();
      assertThat(dir.resolve(KubeletStandIn.KUBELET_SOCKET)).exists();
      assertThat(plugin.streamCancelled.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(kubelet.registration(GPU)).isEmpty();

      plugin.serveAgain();
      plugin.register(GPU);
      RegisteredPlugin again = kubelet.awaitRegistration(GPU, WAIT);
      assertThat(again.registeredNanos()).isGreaterThan(listening);
      assertThat(kubelet.registrationCount(GPU)).isEqualTo(2);
    }
  }

  @Test
  void allocationsSurviveARestartAndTheirDevicesStayHeld() throws Exception {
    try (KubeletStandIn kubelet = KubeletStandIn.start(dir);
        TestPlugin plugin = TestPlugin.serve(
            dir.resolve("gpu.sock"),
            options(false, false),
            List.of(healthy("G0"), healthy("G1")))) {
      plugin.register(GPU);
      kubelet.awaitRegistration(GPU, WAIT);
      kubelet.admit("pod-a", "main", GPU, 1);

      kubelet.restart();
      plugin.serveAgain();
      plugin.register(GPU);
      kubelet.awaitRegistration(GPU, WAIT);

      assertThat(kubelet.allocations())
          .singleElement()
          .satisfies(a -> assertThat(a.deviceIds()).containsExactly("G0"));
      kubelet.admit("pod-b", "main", GPU, 1);
      assertThat(kubelet.allocations().get(1).deviceIds()).containsExactly("G1");
      assertThatThrownBy(() -> kubelet.admit("pod-c", "main", GPU, 1))
          .isInstanceOf(AdmissionException.class);
    }
  }

  @Test
  void aRegistrationStillInFlightWhenTheKubeletRestartsIsNotKept() throws Exception {
    try (KubeletStandIn kubelet = KubeletStandIn.start(dir);
        TestPlugin plugin = TestPlugin.serve(
            dir.resolve("gpu.sock"), options(false, false), List.of(healthy("G0")))) {
      CompletableFuture<Long> restarted = new CompletableFuture<>();
      plugin.onOptions = () -> {
        try {
          restarted.complete(kubelet.restart());
        } catch (Exception e) {
          restarted.completeExceptionally(e);
        }
      };

      assertThatThrownBy(() -> plugin.register(GPU)).isInstanceOf(StatusRuntimeException.class);

      assertThat(restarted.get(5, TimeUnit.SECONDS)).isPositive();
      assertThat(kubelet.registration(GPU)).isEmpty();
      assertThat(kubelet.registrationCount(GPU)).isZero();
      // Either the dial-back dies with the old Registration server, or the restart check refuses
      // it; never kept.
      assertThat(kubelet.registrations())
          .singleElement()
          .satisfies(call -> assertThat(call.accepted()).isFalse());
    }
  }

  @Test
  void startCleansTheDirectoryAsTheKubeletDoesWhenItStarts() throws Exception {
    Files.writeString(dir.resolve("stale.sock"), "left by an earlier plugin");
    Files.writeString(dir.resolve(KubeletStandIn.CHECKPOINT), "{}");
    Files.createDirectories(dir.resolve("sub"));

    try (KubeletStandIn kubelet = KubeletStandIn.start(dir)) {
      assertThat(dir.resolve("stale.sock")).doesNotExist();
      assertThat(dir.resolve(KubeletStandIn.CHECKPOINT)).exists();
      assertThat(dir.resolve("sub")).isDirectory();
      assertThat(kubelet.deviceDir().resolve(KubeletStandIn.KUBELET_SOCKET)).exists();
    }
  }

  @Test
  void closeRemovesKubeletSockAndRefusesFurtherRegistrations() throws Exception {
    // The kubelet cleans the dir when it starts, so it starts first, as in the other tests.
    KubeletStandIn kubelet = KubeletStandIn.start(dir);
    try (TestPlugin plugin =
        TestPlugin.serve(dir.resolve("gpu.sock"), options(false, false), List.of(healthy("G0")))) {
      plugin.register(GPU);
      RegisteredPlugin registered = kubelet.awaitRegistration(GPU, WAIT);

      kubelet.close();

      assertThat(dir.resolve(KubeletStandIn.KUBELET_SOCKET)).doesNotExist();
      assertThat(registered.isConnected()).isFalse();
      assertThatThrownBy(() -> plugin.register(GPU)).isInstanceOf(StatusRuntimeException.class);
      assertThatThrownBy(kubelet::restart).isInstanceOf(IllegalStateException.class);
    } finally {
      kubelet.close();
    }
  }

  /** Waits for a file event the way a plugin's watcher does; polls with a timeout instead of sleeping. */
  private static boolean awaitEvent(WatchService watcher, WatchEvent.Kind<Path> kind, String name)
      throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    List<String> seen = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      WatchKey key = watcher.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (key == null) {
        break;
      }
      for (WatchEvent<?> event : key.pollEvents()) {
        seen.add(event.kind().name() + " " + event.context());
        if (event.kind() == kind && event.context().toString().equals(name)) {
          return true;
        }
      }
      key.reset();
    }
    throw new AssertionError(
        "no " + kind.name() + " of " + name + " within " + WAIT + "; saw " + seen);
  }
}
