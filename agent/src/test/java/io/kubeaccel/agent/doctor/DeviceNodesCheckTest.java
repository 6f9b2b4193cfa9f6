package io.kubeaccel.agent.doctor;

import static io.kubeaccel.agent.doctor.DoctorFixtures.context;
import static io.kubeaccel.agent.doctor.DoctorFixtures.devNodes;
import static io.kubeaccel.agent.doctor.DoctorFixtures.failingInit;
import static io.kubeaccel.agent.doctor.DoctorFixtures.nvml;
import static io.kubeaccel.agent.doctor.DoctorFixtures.paths;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.nvml.NvmlReturn;
import io.kubeaccel.nvml.fake.FakeInventory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /dev/nvidiactl, /dev/nvidia-uvm and one /dev/nvidiaN per card, in fake /dev trees. */
class DeviceNodesCheckTest {

  @TempDir
  Path root;

  @Test
  void everyNodePresentPasses() throws Exception {
    HostPaths paths = paths(root);
    devNodes(
        paths,
        "nvidiactl",
        "nvidia-uvm",
        "nvidia-uvm-tools",
        "nvidia0",
        "nvidia1",
        "nvidia2",
        "nvidia3");
    CheckResult result = new DeviceNodesCheck()
        .run(context(null, nvml(root, FakeInventory.fourGpusTwoNumaNvlinkPairs()), paths));
    assertThat(result.status()).isEqualTo(CheckStatus.PASS);
    assertThat(result.detail())
        .contains(paths.devNode("nvidiactl").toString())
        .contains(paths.devNode("nvidia3").toString())
        .contains("optional, absent: nvidia-modeset");
  }

  @Test
  void aMissingUvmNodeAndCardNodeFailNamingBoth() throws Exception {
    HostPaths paths = paths(root);
    devNodes(paths, "nvidiactl", "nvidia0", "nvidia1", "nvidia3");
    CheckResult result = new DeviceNodesCheck()
        .run(context(null, nvml(root, FakeInventory.fourGpusTwoNumaNvlinkPairs()), paths));
    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.detail())
        .contains("missing: " + paths.devNode("nvidia-uvm") + ", " + paths.devNode("nvidia2"));
    assertThat(result.fix()).contains("nvidia-modprobe -u -c=0").contains("--dev-root");
  }

  @Test
  void withoutNvmlOnlyControlNodesAreCheckedAndItWarns() throws Exception {
    HostPaths paths = paths(root);
    devNodes(paths, "nvidiactl", "nvidia-uvm");
    CheckResult result = new DeviceNodesCheck()
        .run(context(null, failingInit(root, NvmlReturn.DRIVER_NOT_LOADED), paths));
    assertThat(result.status()).isEqualTo(CheckStatus.WARN);
    assertThat(result.detail()).contains("were not checked because NVML did not load");
    assertThat(result.fix()).contains("nvml check");
  }

  @Test
  void withoutNvmlMissingControlNodesStillFail() {
    HostPaths paths = paths(root);
    CheckResult result = new DeviceNodesCheck()
        .run(context(null, failingInit(root, NvmlReturn.DRIVER_NOT_LOADED), paths));
    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.detail()).contains("nvidiactl").contains("nvidia-uvm");
  }
}
