package io.kubeaccel.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.proto.deviceplugin.v1beta1.RegisterRequest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RegisterRequestRulesTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "nvidia.com/gpu",
        "tencent.com/vcuda-core",
        "nvidia.com/mig-1g.5gb",
        "example.com/Upper_Case.name",
        "a/b"
      })
  void extendedResourceNamesOutsideKubernetesIoAreAccepted(String name) {
    assertThat(RegisterRequestRules.problem(request("v1beta1", name, "plugin.sock")))
        .isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "gpu",
        "kubernetes.io/gpu",
        "example.kubernetes.io/gpu",
        "requests.nvidia.com/gpu",
        "/gpu",
        "nvidia.com/",
        "nvidia.com/gpu/extra",
        "NVIDIA.com/gpu",
        "nvidia.com/-gpu",
        "nvidia_com/gpu",
        ""
      })
  void namesTheKubeletDoesNotTakeForExtendedResourcesAreRefusedInItsWords(String name) {
    assertThat(RegisterRequestRules.problem(request("v1beta1", name, "plugin.sock")))
        .contains("the ResourceName \"" + name + "\" is invalid");
  }

  @ParameterizedTest
  @ValueSource(strings = {"v1alpha", "v1beta2", "", "V1BETA1"})
  void anyVersionButV1beta1IsRefusedInTheKubeletsWords(String version) {
    assertThat(RegisterRequestRules.problem(request(version, "nvidia.com/gpu", "plugin.sock")))
        .contains("requested API version \"" + version
            + "\" is not supported by kubelet. Supported version is \"v1beta1\"");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/var/lib/kubelet/device-plugins/plugin.sock",
        "../plugin.sock",
        "sub/plugin.sock",
        "",
        ".."
      })
  void anEndpointThatIsNotAPlainFileNameIsRefused(String endpoint) {
    assertThat(RegisterRequestRules.problem(request("v1beta1", "nvidia.com/gpu", endpoint)))
        .hasValueSatisfying(
            problem -> assertThat(problem).contains("is not the file name of a socket"));
  }

  private static RegisterRequest request(String version, String resourceName, String endpoint) {
    return RegisterRequest.newBuilder()
        .setVersion(version)
        .setResourceName(resourceName)
        .setEndpoint(endpoint)
        .build();
  }
}
