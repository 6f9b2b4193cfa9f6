package io.kubeaccel.mps;

import static io.kubeaccel.mps.MpsNode.CORE;
import static io.kubeaccel.mps.MpsNode.MEMORY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubeaccel.core.kube.PodRef;
import io.kubeaccel.mps.MpsNode.Admitted;
import io.kubeaccel.nvml.fake.FakeGpu;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.proto.deviceplugin.v1beta1.DeviceSpec;
import io.kubeaccel.proto.deviceplugin.v1beta1.Mount;
import io.kubeaccel.testkit.AdmissionException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** MPS shares end to end: kubelet stand-in, fake NVML and MPS daemon, in-memory Kubernetes API, real sockets. */
class MpsAllocationTest {

  private MpsNode node;
  private List<FakeGpu> gpus;

  @BeforeEach
  void start() throws Exception {
    node = new MpsNode(FakeInventory.fourGpusTwoNumaNvlinkPairs()).startAgent();
    gpus = node.nvml.inventory().gpus();
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  @Test
  void everyCardAdvertisesHundredCoresAndItsMemoryInGibUnits() {
    assertThat(node.kubelet.awaitRegistration(CORE, MpsNode.WAIT).devices()).hasSize(400);
    // A100-SXM4-40GB: 40960 MiB = 40 GiB.
    assertThat(node.kubelet.awaitRegistration(MEMORY, MpsNode.WAIT).devices()).hasSize(4 * 40);
    assertThat(
            node.kubelet.awaitRegistration(CORE, MpsNode.WAIT).devices().get(0).getID())
        .isEqualTo(gpus.get(0).uuid() + "-mpscore-0");
    assertThat(node.kubelet
            .awaitRegistration(MEMORY, MpsNode.WAIT)
            .devices()
            .get(0)
            .getID())
        .isEqualTo(gpus.get(0).uuid() + "-mpsmem-0");
  }

  @Test
  void aContainerBecomesAnMpsClientOfItsCardWithLimitsOfItsOwnWhicheverResourceComesFirst() {
    for (boolean memoryFirst : new boolean[] {false, true}) {
      PodRef pod = node.pod("share-" + memoryFirst, Map.of(), new int[] {30, 8});
      Admitted admitted = node.admit(pod, 0, 30, 8, memoryFirst);

      String uuid = admitted.envs().get("NVIDIA_VISIBLE_DEVICES");
      FakeGpu card =
          gpus.stream().filter(g -> g.uuid().equals(uuid)).findFirst().orElseThrow();
      assertThat(admitted.envs())
          .containsOnly(
              Map.entry("NVIDIA_VISIBLE_DEVICES", uuid),
              Map.entry("CUDA_MPS_PIPE_DIRECTORY", "/mps/pipe"),
              Map.entry("CUDA_MPS_ACTIVE_THREAD_PERCENTAGE", "30"),
              Map.entry("CUDA_MPS_PINNED_DEVICE_MEM_LIMIT", "0=8G"));
      assertThat(admitted.mounts())
          .extracting(Mount::getContainerPath, Mount::getHostPath, Mount::getReadOnly)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(
                  "/mps/pipe", node.options.pipeDirectory().toString(), false),
              org.assertj.core.groups.Tuple.tuple(
                  "/dev/shm", node.options.shmDirectory().toString(), false));
      assertThat(admitted.devices())
          .extracting(DeviceSpec::getHostPath, DeviceSpec::getPermissions)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("/dev/nvidia" + card.minor(), "rw"),
              org.assertj.core.groups.Tuple.tuple("/dev/nvidiactl", "rw"),
              org.assertj.core.groups.Tuple.tuple("/dev/nvidia-uvm", "rw"));
      assertThat(node.api.byUid(pod.uid()).orElseThrow().getMetadata().getAnnotations())
          .containsEntry("mps.kubeaccel.io/gpu-assigned", "true")
          .containsKey("mps.kubeaccel.io/predicate-gpu-idx-0");
    }
    assertThat(node.cards.ledger().grants())
        .hasSize(2)
        .allSatisfy(grant -> assertThat(grant.family()).isEqualTo("mps"));
  }

  @Test
  void containersSharingACardEachGetTheirOwnThreadPercentageAndMemoryLimit() {
    Admitted small = node.admit(node.pod("small", Map.of(), new int[] {20, 4}), 0, 20, 4, false);
    Admitted large = node.admit(node.pod("large", Map.of(), new int[] {70, 30}), 0, 70, 30, true);

    assertThat(large.envs().get("NVIDIA_VISIBLE_DEVICES"))
        .as("binpack: the fullest card that fits")
        .isEqualTo(small.envs().get("NVIDIA_VISIBLE_DEVICES"));
    assertThat(small.envs())
        .containsEntry("CUDA_MPS_ACTIVE_THREAD_PERCENTAGE", "20")
        .containsEntry("CUDA_MPS_PINNED_DEVICE_MEM_LIMIT", "0=4G");
    assertThat(large.envs())
        .containsEntry("CUDA_MPS_ACTIVE_THREAD_PERCENTAGE", "70")
        .containsEntry("CUDA_MPS_PINNED_DEVICE_MEM_LIMIT", "0=30G");
    assertThat(node.api.nodeAnnotations().get("kubeaccel.io/gpus"))
        .contains("\"mode\":\"mps\"")
        .contains("\"coreResource\":\"nvidia.com/mps-core\"")
        .contains("\"usedCores\":90")
        .contains("\"usedMemoryUnits\":34");
  }

  @Test
  void theExtendersChoiceOfCardIsHonoured() {
    PodRef pod = node.pod("placed", MpsNode.assigned(3, 1_000), new int[] {10, 2});
    Admitted admitted = node.admit(pod, 0, 10, 2, false);
    assertThat(admitted.envs())
        .containsEntry("NVIDIA_VISIBLE_DEVICES", gpus.get(3).uuid());
    assertThat(node.api.byUid(pod.uid()).orElseThrow().getMetadata().getAnnotations())
        .containsEntry("mps.kubeaccel.io/gpu-assigned", "true")
        .containsEntry("mps.kubeaccel.io/predicate-gpu-idx-0", "3");
  }

  @Test
  void hundredCoresTakeACardWholeWithTheMemoryLimitAsked() {
    Admitted whole = node.admit(node.pod("whole", Map.of(), new int[] {100, 8}), 0, 100, 8, false);
    assertThat(whole.envs())
        .containsEntry("CUDA_MPS_ACTIVE_THREAD_PERCENTAGE", "100")
        .containsEntry("CUDA_MPS_PINNED_DEVICE_MEM_LIMIT", "0=8G");
    Admitted next = node.admit(node.pod("next", Map.of(), new int[] {10, 2}), 0, 10, 2, false);
    assertThat(next.envs().get("NVIDIA_VISIBLE_DEVICES"))
        .isNotEqualTo(whole.envs().get("NVIDIA_VISIBLE_DEVICES"));
  }

  @Test
  void invalidRequestsAreRefusedWithTheRuleAndChangeNothing() {
    String annotationBefore = node.api.nodeAnnotations().get("kubeaccel.io/gpus");
    expectRefused(
        node.pod("over", Map.of(), new int[] {150, 8}),
        150,
        8,
        false,
        "nvidia.com/mps-core 150 is invalid: at most 100 (one card) in this mode");
    expectRefused(
        node.pod("two-cards", Map.of(), new int[] {200, 0}),
        200,
        0,
        false,
        "nvidia.com/mps-core 200 is invalid: at most 100 (one card) in this mode");
    expectRefused(
        node.pod("memory-only", Map.of(), new int[] {0, 8}),
        0,
        8,
        true,
        "asks 8 nvidia.com/mps-memory without nvidia.com/mps-core; a share needs both");
    expectRefused(
        node.pod("cores-only", Map.of(), new int[] {30, 0}),
        30,
        0,
        false,
        "asks 30 nvidia.com/mps-core without nvidia.com/mps-memory");
    expectRefused(
        node.pod("too-much-memory", Map.of(), new int[] {30, 48}),
        30,
        48,
        false,
        "nvidia.com/mps-memory 48 is invalid: more than one GPU's 40 units");
    assertThat(node.cards.ledger().grants()).isEmpty();
    assertThat(node.api.nodeAnnotations().get("kubeaccel.io/gpus")).isEqualTo(annotationBefore);
  }

  private void expectRefused(
      PodRef pod, int cores, int memory, boolean memoryFirst, String message) {
    assertThatThrownBy(() -> node.admit(pod, 0, cores, memory, memoryFirst))
        .isInstanceOf(AdmissionException.class)
        .hasMessageContaining("INVALID_ARGUMENT")
        .hasMessageContaining(message);
    assertThat(node.api.byUid(pod.uid()).orElseThrow().getMetadata().getAnnotations())
        .doesNotContainKey("mps.kubeaccel.io/gpu-assigned");
    node.end(pod);
  }
}
