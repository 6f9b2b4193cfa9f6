package io.kubeaccel.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The chart on a real (single-node, GPU-less) cluster: the image built from the repository's Dockerfile, the chart
 * installed in its simulate form, the pGPU agent registered with k3s's kubelet, and a pod that asks for a GPU gets
 * one. Needs a Docker engine; skipped without one.
 */
@Testcontainers(disabledWithoutDocker = true)
class K3sChartTest {

  private static final String IMAGE_REPOSITORY = "kubeaccel/kubeaccel-k3s-test";
  private static final String IMAGE_TAG = "test";
  /** The four-gpu preset's card count. */
  private static final int SIMULATED_CARDS = 4;

  @Container
  private static final K3sContainer K3S =
      new K3sContainer(DockerImageName.parse("rancher/k3s:v1.31.4-k3s1"));

  @TempDir
  Path work;

  @Test
  void theChartsSimulatedNodeAdvertisesGpusAndAPodGetsOne() throws Exception {
    loadImageIntoK3s(buildImage());
    Path kubeconfig = work.resolve("kubeconfig");
    Files.writeString(kubeconfig, K3S.getKubeConfigYaml());
    try (KubernetesClient client = new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(K3S.getKubeConfigYaml()))
        .build()) {
      Node node = client.nodes().list().getItems().get(0);
      String nodeName = node.getMetadata().getName();
      client.nodes().withName(nodeName).edit(n -> {
        n.getMetadata().getLabels().put(ChartTest.NODE_LABEL, "pgpu");
        return n;
      });

      Helm helm = Helm.forRepository();
      Helm.Outcome installed = Helm.run(List.of(
          helm.binary().toString(),
          "install",
          Helm.RELEASE,
          Repository.root().resolve("deploy/helm/kubeaccel").toString(),
          "--kubeconfig",
          kubeconfig.toString(),
          "--namespace",
          Helm.NAMESPACE,
          "--set",
          "image.repository=" + IMAGE_REPOSITORY,
          "--set",
          "image.tag=" + IMAGE_TAG,
          "--set",
          "image.pullPolicy=Never",
          "--set",
          "simulate.enabled=true",
          "--set",
          "vgpu.enabled=false",
          "--set",
          "mps.enabled=false",
          "--set",
          "extender.vgpu.enabled=false",
          "--set",
          "extender.mps.enabled=false"));
      assertThat(installed.ok()).as(installed.output()).isTrue();

      awaitTrue(
          Duration.ofMinutes(4),
          "the node advertises " + SIMULATED_CARDS + " nvidia.com/gpu",
          () -> {
            Quantity gpus = client
                .nodes()
                .withName(nodeName)
                .get()
                .getStatus()
                .getAllocatable()
                .get("nvidia.com/gpu");
            return gpus != null && gpus.getNumericalAmount().intValue() == SIMULATED_CARDS;
          });

      Pod pod = new PodBuilder()
          .withNewMetadata()
          .withName("wants-a-gpu")
          .withNamespace("default")
          .endMetadata()
          .withNewSpec()
          .withRestartPolicy("Never")
          .addNewContainer()
          .withName("cuda")
          .withImage(IMAGE_REPOSITORY + ":" + IMAGE_TAG)
          .withImagePullPolicy("Never")
          .withCommand("/bin/sh", "-c", "echo visible=$NVIDIA_VISIBLE_DEVICES")
          .withNewResources()
          .addToLimits("nvidia.com/gpu", new Quantity("1"))
          .endResources()
          .endContainer()
          .endSpec()
          .build();
      client.pods().inNamespace("default").resource(pod).create();
      awaitTrue(
          Duration.ofMinutes(2),
          "the pod ran",
          () -> Set.of("Succeeded", "Failed")
              .contains(client
                  .pods()
                  .inNamespace("default")
                  .withName("wants-a-gpu")
                  .get()
                  .getStatus()
                  .getPhase()));
      String log = client.pods().inNamespace("default").withName("wants-a-gpu").getLog();
      assertThat(log)
          .as("the pod's environment from the agent's Allocate")
          .containsPattern("visible=GPU-[0-9a-f-]+");
    }
  }

  /** Builds the repository's Dockerfile (the same stages a release uses) into the engine. */
  private static String buildImage() throws Exception {
    return new ImageFromDockerfile(IMAGE_REPOSITORY + ":" + IMAGE_TAG, false)
        .withFileFromPath(".", Repository.root())
        .get(30, TimeUnit.MINUTES);
  }

  /** k3s's containerd does not see the engine's images: save the image and import it there. */
  private void loadImageIntoK3s(String image) throws IOException, InterruptedException {
    Path archive = work.resolve("image.tar");
    try (InputStream saved =
        DockerClientFactory.instance().client().saveImageCmd(image).exec()) {
      Files.copy(saved, archive);
    }
    K3S.copyFileToContainer(MountableFile.forHostPath(archive), "/tmp/kubeaccel-image.tar");
    var imported =
        K3S.execInContainer("ctr", "-n", "k8s.io", "images", "import", "/tmp/kubeaccel-image.tar");
    assertThat(imported.getExitCode()).as(imported.getStderr()).isZero();
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  private static void awaitTrue(Duration timeout, String what, Check check) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (check.holds()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      TimeUnit.SECONDS.sleep(2);
    }
    throw new AssertionError("timed out waiting until " + what, last);
  }
}
