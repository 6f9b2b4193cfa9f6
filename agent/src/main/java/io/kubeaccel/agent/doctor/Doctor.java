package io.kubeaccel.agent.doctor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs checks and collects their verdicts. Every check runs on its own daemon thread, all at once, and gets the same
 * deadline: a check whose call hangs (a wedged driver in NVML, an API server that accepts but never answers) becomes a
 * FAIL after the timeout and is left behind, so doctor always finishes within about one timeout.
 */
public final class Doctor {

  private final List<DoctorCheck> checks;
  private final Duration timeout;

  /**
   * @param checks run in parallel, reported in this order
   * @param timeout how long each check may take
   */
  public Doctor(List<DoctorCheck> checks, Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("check timeout must be positive: " + timeout);
    }
    this.checks = List.copyOf(checks);
    this.timeout = timeout;
  }

  /** Every check of a node's prerequisites (SPEC §1), in report order. */
  public static List<DoctorCheck> standardChecks() {
    return List.of(
        new NvmlCheck(),
        new CudaVersionCheck(),
        new ComputeCapabilityCheck(),
        new MigModeCheck(),
        new DeviceNodesCheck(),
        new KubeletSocketCheck(),
        new PodResourcesCheck(),
        new ContainerRuntimeCheck(),
        new ContainerToolkitCheck(ContainerToolkitCheck.DEFAULT_TIMEOUT),
        new NodeLabelCheck(),
        new KubernetesVersionCheck());
  }

  /** Runs every check against {@code ctx}. */
  public DoctorReport run(DoctorContext ctx) {
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, checks.size()), daemons());
    try {
      List<Future<CheckResult>> running = new ArrayList<>();
      for (DoctorCheck check : checks) {
        running.add(pool.submit(() -> check.run(ctx)));
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      List<CheckResult> results = new ArrayList<>();
      for (int i = 0; i < checks.size(); i++) {
        results.add(await(checks.get(i), running.get(i), deadline));
      }
      return new DoctorReport(ctx.mode(), results);
    } finally {
      pool.shutdownNow(); // interrupts what still hangs; daemon threads never keep the JVM alive
    }
  }

  private CheckResult await(DoctorCheck check, Future<CheckResult> future, long deadline) {
    try {
      CheckResult result =
          future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (result == null || !result.name().equals(check.name())) {
        return unexpected(check, new IllegalStateException("check returned " + result));
      }
      return result;
    } catch (TimeoutException e) {
      future.cancel(true);
      return CheckResult.fail(
          check.name(),
          "no answer within " + shown(timeout) + ": a call it makes hangs"
              + " (a wedged driver, container runtime or API server)",
          "find the hung call: run `nvidia-smi` (hangs too with a wedged driver: reboot the node), check `systemctl"
              + " status containerd kubelet`; if the node is only slow, raise --check-timeout");
    } catch (ExecutionException e) {
      return unexpected(check, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return unexpected(check, e);
    }
  }

  private static CheckResult unexpected(DoctorCheck check, Throwable error) {
    return CheckResult.fail(
        check.name(),
        "the check itself failed: " + error,
        "re-run with --log-level debug and report this message with the node's OS, driver and"
            + " container runtime versions");
  }

  private static String shown(Duration duration) {
    return duration.toMillis() % 1000 == 0
        ? duration.toSeconds() + " s"
        : duration.toMillis() + " ms";
  }

  private static ThreadFactory daemons() {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "kubeaccel-doctor-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
