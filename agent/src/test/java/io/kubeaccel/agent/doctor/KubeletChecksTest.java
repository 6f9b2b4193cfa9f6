package io.kubeaccel.agent.doctor;

import static io.kubeaccel.agent.doctor.DoctorFixtures.listen;
import static io.kubeaccel.agent.doctor.DoctorFixtures.paths;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.nvml.NvmlLibraryPath;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kubelet's device-plugin socket and PodResources socket, as real unix sockets in temporary directories. */
class KubeletChecksTest {

  @TempDir
  Path root;

  private DoctorContext context() {
    // These checks never read NVML: a probe that would find nothing is never opened.
    NvmlProbe unused = NvmlProbe.of(NvmlLibraryPath.only(root.resolve("none")), root);
    return DoctorFixtures.context(DoctorMode.VGPU, unused, paths(root));
  }

  private Path kubeletSocket() {
    return paths(root).deviceDir().resolve("kubelet.sock");
  }

  @Test
  void aListeningKubeletSocketPasses() throws Exception {
    try (ServerSocketChannel kubelet = listen(kubeletSocket())) {
      CheckResult result = new KubeletSocketCheck().run(context());
      assertThat(result.status()).isEqualTo(CheckStatus.PASS);
      assertThat(result.detail()).contains(kubeletSocket() + " accepts connections");
    }
  }

  @Test
  void aMissingDevicePluginDirectoryFails() {
    CheckResult result = new KubeletSocketCheck().run(context());
    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.detail()).contains(paths(root).deviceDir() + " does not exist");
    assertThat(result.fix()).contains("--device-plugin-dir");
  }

  @Test
  void aDirectoryWithoutKubeletSockFails() throws Exception {
    Files.createDirectories(paths(root).deviceDir());
    CheckResult result = new KubeletSocketCheck().run(context());
    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.detail()).contains("no kubelet.sock");
    assertThat(result.fix()).contains("systemctl restart kubelet");
  }

  @Test
  void aRegularFileNamedKubeletSockFails() throws Exception {
    DoctorFixtures.write(kubeletSocket(), "not a socket");
    CheckResult result = new KubeletSocketCheck().run(context());
    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.detail()).contains("is not a socket");
    assertThat(result.fix()).contains("sudo rm " + kubeletSocket());
  }

  @Test
  void aStaleSocketNobodyListensOnFails() throws Exception {
    listen(kubeletSocket()).close(); // the file stays, as after a kubelet crash
    assertThat(kubeletSocket()).exists();
    CheckResult result = new KubeletSocketCheck().run(context());
    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.detail()).contains("nobody listens");
    assertThat(result.fix()).contains("systemctl restart kubelet");
  }

  @Test
  void thePodResourcesSocketPassesWhenPresent() throws Exception {
    Path socket = paths(root).podResourcesSocket();
    assertThat(socket).isEqualTo(root.resolve("kubelet/pod-resources/kubelet.sock"));
    try (ServerSocketChannel podResources = listen(socket)) {
      CheckResult result = new PodResourcesCheck().run(context());
      assertThat(result.status()).isEqualTo(CheckStatus.PASS);
    }
  }

  @Test
  void aMissingPodResourcesSocketWarnsThatRecoveryNeedsIt() {
    CheckResult result = new PodResourcesCheck().run(context());
    assertThat(result.status()).isEqualTo(CheckStatus.WARN);
    assertThat(result.detail()).contains("does not exist").contains("recover allocations");
    assertThat(result.fix()).contains("--pod-resources-socket").contains("KubeletPodResources");
  }

  @Test
  void aPodResourcesPathThatIsNoSocketWarns() throws Exception {
    DoctorFixtures.write(paths(root).podResourcesSocket(), "");
    CheckResult result = new PodResourcesCheck().run(context());
    assertThat(result.status()).isEqualTo(CheckStatus.WARN);
    assertThat(result.detail()).contains("is not a socket");
  }
}
