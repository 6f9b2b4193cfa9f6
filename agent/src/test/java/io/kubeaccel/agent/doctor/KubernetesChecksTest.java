package io.kubeaccel.agent.doctor;

import static io.kubeaccel.agent.doctor.DoctorFixtures.paths;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubeaccel.nvml.NvmlLibraryPath;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's mode label and the Kubernetes version, against fabric8's mock API server. */
class KubernetesChecksTest {

  private static final String NODE = "gpu-node-1";

  @TempDir
  Path root;

  private DoctorContext context(DoctorMode mode, KubeAccess kube) {
    NvmlProbe unused = NvmlProbe.of(NvmlLibraryPath.only(root.resolve("none")), root);
    return new DoctorContext(Optional.ofNullable(mode), paths(root), unused, kube);
  }

  private CheckResult label(DoctorMode mode, FakeApiServer api) {
    try (KubernetesClient client = api.client()) {
      return new NodeLabelCheck().run(context(mode, KubeAccess.using(client, NODE)));
    }
  }

  private CheckResult version(FakeApiServer api) {
    try (KubernetesClient client = api.client()) {
      return new KubernetesVersionCheck().run(context(null, KubeAccess.using(client, NODE)));
    }
  }

  @Test
  void aNodeLabelledForTheModePasses() {
    try (FakeApiServer api =
        new FakeApiServer("1", "29").node(NODE, Map.of("nvidia-device-enable", "vgpu"))) {
      CheckResult result = label(DoctorMode.VGPU, api);
      assertThat(result.status()).isEqualTo(CheckStatus.PASS);
      assertThat(result.detail()).contains("node gpu-node-1 is labelled nvidia-device-enable=vgpu");
    }
  }

  @Test
  void aNodeLabelledForAnotherModeFailsWithTheRelabelCommand() {
    try (FakeApiServer api =
        new FakeApiServer("1", "29").node(NODE, Map.of("nvidia-device-enable", "pgpu"))) {
      CheckResult result = label(DoctorMode.MPS, api);
      assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
      assertThat(result.detail()).contains("the pgpu agent runs here, not the mps agent");
      assertThat(result.fix())
          .contains("`kubectl label node gpu-node-1 nvidia-device-enable=mps --overwrite`")
          .contains("--mode pgpu");
    }
  }

  @Test
  void aNodeWithoutTheLabelFails() {
    try (FakeApiServer api =
        new FakeApiServer("1", "29").node(NODE, Map.of("kubernetes.io/os", "linux"))) {
      CheckResult result = label(DoctorMode.PGPU, api);
      assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
      assertThat(result.detail()).contains("has no nvidia-device-enable label");
      assertThat(result.fix())
          .contains("kubectl label node gpu-node-1 nvidia-device-enable=pgpu --overwrite");
    }
  }

  @Test
  void withoutAModeAMissingLabelFixListsTheModes() {
    try (FakeApiServer api = new FakeApiServer("1", "29").node(NODE, Map.of())) {
      CheckResult result = label(null, api);
      assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
      assertThat(result.fix()).contains("nvidia-device-enable=<pgpu|vgpu|mps>");
    }
  }

  @Test
  void aValueThatIsNoModeFails() {
    try (FakeApiServer api =
        new FakeApiServer("1", "29").node(NODE, Map.of("nvidia-device-enable", "gpu"))) {
      CheckResult result = label(DoctorMode.PGPU, api);
      assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
      assertThat(result.detail()).contains("nvidia-device-enable=gpu, not one of pgpu, vgpu, mps");
    }
  }

  @Test
  void anUpperCaseValueFailsBecauseNodeSelectorsAreExact() {
    try (FakeApiServer api =
        new FakeApiServer("1", "29").node(NODE, Map.of("nvidia-device-enable", "MPS"))) {
      CheckResult result = label(DoctorMode.MPS, api);
      assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
      assertThat(result.fix()).contains("nvidia-device-enable=mps --overwrite");
    }
  }

  @Test
  void anUnknownNodeFailsAskingForTheNodeName() {
    try (FakeApiServer api = new FakeApiServer("1", "29")) {
      CheckResult result = label(DoctorMode.PGPU, api);
      assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
      assertThat(result.detail()).contains("no node named \"gpu-node-1\"");
      assertThat(result.fix()).contains("--node-name");
    }
  }

  @Test
  void aForbiddenNodeWarnsAboutCredentials() {
    try (FakeApiServer api = new FakeApiServer("1", "29").forbidden(NODE)) {
      CheckResult result = label(DoctorMode.PGPU, api);
      assertThat(result.status()).isEqualTo(CheckStatus.WARN);
      assertThat(result.detail()).contains("403");
      assertThat(result.fix()).contains("--kubeconfig");
    }
  }

  @Test
  void anUnreachableApiServerSkipsBothClusterChecks() throws Exception {
    Path kubeconfig = FakeApiServer.unreachableKubeconfig(root);
    try (KubeAccess kube = KubeAccess.fromKubeconfig(Optional.of(kubeconfig), NODE, "test")) {
      DoctorContext ctx = context(DoctorMode.PGPU, kube);
      CheckResult label = new NodeLabelCheck().run(ctx);
      CheckResult version = new KubernetesVersionCheck().run(ctx);
      assertThat(label.status()).isEqualTo(CheckStatus.SKIP);
      assertThat(label.detail())
          .containsPattern(
              "the API server http://127.0.0.1:\\d+/ is unreachable \\(connection refused\\)");
      assertThat(version.status()).isEqualTo(CheckStatus.SKIP);
    }
  }

  @Test
  void anUnreadableKubeconfigWarnsNamingIt() {
    Path missing = root.resolve("no-such-kubeconfig");
    try (KubeAccess kube = KubeAccess.fromKubeconfig(Optional.of(missing), NODE, "test")) {
      CheckResult result = new KubernetesVersionCheck().run(context(DoctorMode.PGPU, kube));
      assertThat(result.status()).isEqualTo(CheckStatus.WARN);
      assertThat(result.detail()).contains("no usable kubeconfig").contains(missing.toString());
      assertThat(result.fix()).contains("--kubeconfig");
    }
  }

  @Test
  void kubernetes129Passes() {
    try (FakeApiServer api = new FakeApiServer("1", "29")) {
      CheckResult result = version(api);
      assertThat(result.status()).isEqualTo(CheckStatus.PASS);
      assertThat(result.detail()).isEqualTo("Kubernetes v1.29.3 (needs 1.25+)");
    }
  }

  @Test
  void aProviderMinorWithAPlusPasses() {
    try (FakeApiServer api = new FakeApiServer("1", "27+")) {
      assertThat(version(api).status()).isEqualTo(CheckStatus.PASS);
    }
  }

  @Test
  void kubernetes124Fails() {
    try (FakeApiServer api = new FakeApiServer("1", "24")) {
      CheckResult result = version(api);
      assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
      assertThat(result.detail()).contains("v1.24.3 is older than 1.25");
      assertThat(result.fix()).contains("upgrade the cluster");
    }
  }
}
