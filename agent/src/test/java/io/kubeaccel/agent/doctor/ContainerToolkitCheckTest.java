package io.kubeaccel.agent.doctor;

import static io.kubeaccel.agent.doctor.DoctorFixtures.paths;
import static io.kubeaccel.agent.doctor.DoctorFixtures.script;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.nvml.NvmlLibraryPath;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The toolkit's version from fake nvidia-ctk scripts. */
class ContainerToolkitCheckTest {

  @TempDir
  Path root;

  private CheckResult run(Duration timeout) {
    NvmlProbe unused = NvmlProbe.of(NvmlLibraryPath.only(root.resolve("none")), root);
    return new ContainerToolkitCheck(timeout)
        .run(DoctorFixtures.context(DoctorMode.PGPU, unused, paths(root)));
  }

  private CheckResult run() {
    return run(ContainerToolkitCheck.DEFAULT_TIMEOUT);
  }

  private Path ctk() {
    return paths(root).nvidiaCtk();
  }

  @Test
  void aCurrentToolkitPasses() throws Exception {
    script(
        ctk(),
        "echo 'NVIDIA Container Toolkit CLI version 1.17.8'\necho 'commit: f202b80a9b9d0db00d9b1d73c0128c8962c55f4d'");
    CheckResult result = run();
    assertThat(result.status()).isEqualTo(CheckStatus.PASS);
    assertThat(result.detail()).isEqualTo(ctk() + " reports version 1.17.8 (needs 1.7.0)");
  }

  @Test
  void aToolkitOlderThan170Fails() throws Exception {
    script(ctk(), "echo 'NVIDIA Container Toolkit CLI version 1.6.0'");
    CheckResult result = run();
    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.detail()).contains("1.6.0").contains("1.7.0");
    assertThat(result.fix()).contains("nvidia-container-toolkit");
  }

  @Test
  void anOlderToolkitWithoutNvidiaCtkIsAskedThroughItsHook() throws Exception {
    Path hook = script(
        ctk().resolveSibling("nvidia-container-toolkit"),
        "echo 'NVIDIA Container Runtime Hook version 1.9.0'");
    CheckResult result = run();
    assertThat(result.status()).isEqualTo(CheckStatus.PASS);
    assertThat(result.detail()).startsWith(hook + " reports version 1.9.0");
  }

  @Test
  void anAbsentToolkitWarns() {
    CheckResult result = run();
    assertThat(result.status()).isEqualTo(CheckStatus.WARN);
    assertThat(result.detail()).contains("no NVIDIA container toolkit CLI at " + ctk());
    assertThat(result.fix()).contains("--nvidia-ctk");
  }

  @Test
  void aHungBinaryIsStoppedAtTheTimeoutAndWarns() throws Exception {
    script(ctk(), "exec tail -f /dev/null");
    CheckResult result = run(Duration.ofMillis(300));
    assertThat(result.status()).isEqualTo(CheckStatus.WARN);
    assertThat(result.detail()).contains("gave no answer within 300 ms");
  }

  @Test
  void aBinaryThatFailsWithoutAVersionWarns() throws Exception {
    script(ctk(), "echo 'error while loading shared libraries' >&2\nexit 127");
    CheckResult result = run();
    assertThat(result.status()).isEqualTo(CheckStatus.WARN);
    assertThat(result.detail())
        .contains("exited with 127")
        .contains("error while loading shared libraries");
  }
}
