package io.kubeaccel.agent.doctor;

import static io.kubeaccel.agent.doctor.DoctorFixtures.paths;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.nvml.NvmlLibraryPath;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The runner (timeouts, failures isolated, order) and the report's table, JSON and exit code. */
class DoctorTest {

  @TempDir
  Path root;

  private DoctorContext context() {
    NvmlProbe unused = NvmlProbe.of(NvmlLibraryPath.only(root.resolve("none")), root);
    return DoctorFixtures.context(DoctorMode.VGPU, unused, paths(root));
  }

  private static DoctorCheck check(String name, java.util.function.Supplier<CheckResult> body) {
    return new DoctorCheck() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public CheckResult run(DoctorContext ctx) {
        return body.get();
      }
    };
  }

  @Test
  void aHungCheckFailsAtTheTimeoutWhileTheOthersReport() {
    CountDownLatch never = new CountDownLatch(1);
    DoctorCheck hung = check("hung", () -> {
      try {
        never.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return CheckResult.pass("hung", "released");
    });
    DoctorCheck fine = check("fine", () -> CheckResult.pass("fine", "ok"));
    try {
      DoctorReport report = new Doctor(List.of(hung, fine), Duration.ofMillis(300)).run(context());
      assertThat(report.results()).extracting(CheckResult::name).containsExactly("hung", "fine");
      CheckResult timedOut = report.results().get(0);
      assertThat(timedOut.status()).isEqualTo(CheckStatus.FAIL);
      assertThat(timedOut.detail()).contains("no answer within 300 ms");
      assertThat(timedOut.fix()).contains("--check-timeout");
      assertThat(report.results().get(1).status()).isEqualTo(CheckStatus.PASS);
      assertThat(report.exitCode()).isEqualTo(1);
    } finally {
      never.countDown();
    }
  }

  @Test
  void aCheckThatThrowsFailsAloneWithTheError() {
    DoctorCheck broken = check("broken", () -> {
      throw new IllegalStateException("boom");
    });
    DoctorCheck fine = check("fine", () -> CheckResult.warn("fine", "meh", "do this"));
    DoctorReport report = new Doctor(List.of(broken, fine), Duration.ofSeconds(5)).run(context());
    assertThat(report.results().get(0).status()).isEqualTo(CheckStatus.FAIL);
    assertThat(report.results().get(0).detail()).contains("IllegalStateException: boom");
    assertThat(report.results().get(1).status()).isEqualTo(CheckStatus.WARN);
  }

  @Test
  void warningsAndSkipsExitZeroAndFailuresExitOne() {
    DoctorReport ok = new DoctorReport(
        Optional.of(DoctorMode.PGPU),
        List.of(
            CheckResult.pass("a", "fine"),
            CheckResult.warn("b", "hmm", "do x"),
            CheckResult.skip("c", "no cluster")));
    assertThat(ok.exitCode()).isZero();
    assertThat(ok.overall()).isEqualTo(CheckStatus.WARN);
    DoctorReport bad = new DoctorReport(
        Optional.empty(),
        List.of(CheckResult.pass("a", "fine"), CheckResult.fail("b", "bad", "fix it")));
    assertThat(bad.exitCode()).isEqualTo(1);
  }

  @Test
  void theTableShowsAFixLineUnderEveryWarningAndFailure() {
    DoctorReport report = new DoctorReport(
        Optional.of(DoctorMode.MPS),
        List.of(
            CheckResult.pass("nvml", "driver 550"),
            CheckResult.fail("mig", "GPU 0 in MIG mode\nGPU 1 in MIG mode", "first\nsecond"),
            CheckResult.skip("node-label", "unreachable")));
    assertThat(report.table()).isEqualTo("""
        CHECK       STATUS  DETAIL
        nvml        PASS    driver 550
        mig         FAIL    GPU 0 in MIG mode
                            GPU 1 in MIG mode
                            FIX: first
                                 second
        node-label  SKIP    unreachable

        3 checks for mode mps: 1 passed, 0 warnings, 1 failed, 1 skipped -> FAIL
        """);
  }

  @Test
  void theJsonHasEveryCheckAndASummary() {
    DoctorReport report = new DoctorReport(
        Optional.empty(),
        List.of(CheckResult.pass("nvml", "ok"), CheckResult.warn("mig", "MIG on", "turn it off")));
    JsonNode json = JsonMapper.builder().build().readTree(report.json());
    assertThat(json.get("checks")).hasSize(2);
    assertThat(json.get("checks").get(0).get("name").stringValue()).isEqualTo("nvml");
    assertThat(json.get("checks").get(0).get("fix").isNull()).isTrue();
    assertThat(json.get("checks").get(1).get("status").stringValue()).isEqualTo("WARN");
    assertThat(json.get("checks").get(1).get("fix").stringValue()).isEqualTo("turn it off");
    assertThat(json.get("summary").get("mode").isNull()).isTrue();
    assertThat(json.get("summary").get("warn").asInt()).isEqualTo(1);
    assertThat(json.get("summary").get("result").stringValue()).isEqualTo("WARN");
    assertThat(json.get("summary").get("exitCode").asInt()).isZero();
  }

  @Test
  void aWarningOrFailureWithoutAFixIsRefused() {
    assertThatThrownBy(() -> CheckResult.fail("x", "broken", " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("FAIL needs a fix");
    assertThatThrownBy(() -> new CheckResult("x", CheckStatus.PASS, "fine", "but do this"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PASS takes no fix");
  }

  @Test
  void unknownModesAreRefusedListingTheModes() {
    assertThat(DoctorMode.parse("MPS")).isEqualTo(DoctorMode.MPS);
    assertThatThrownBy(() -> DoctorMode.parse("whole"))
        .hasMessage("unknown mode \"whole\"; choose one of: pgpu, vgpu, mps");
  }

  @Test
  void theStandardChecksHaveUniqueNamesInReportOrder() {
    assertThat(Doctor.standardChecks())
        .extracting(DoctorCheck::name)
        .containsExactly(
            "nvml",
            "cuda-version",
            "compute-capability",
            "mig",
            "device-nodes",
            "kubelet-socket",
            "pod-resources",
            "container-runtime",
            "container-toolkit",
            "node-label",
            "kubernetes-version");
  }
}
