package io.kubeaccel.extender;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The example KubeSchedulerConfigurations under deploy/scheduler name what this extender serves. */
class SchedulerConfigFilesTest {

  private static final Path DIR = Path.of("..", "deploy", "scheduler");
  private static final Set<String> SHARE_RESOURCES = Set.of(
      "tencent.com/vcuda-core",
      "tencent.com/vcuda-memory",
      "nvidia.com/mps-core",
      "nvidia.com/mps-memory");

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> extenders(String file) throws IOException {
    try (Reader in = Files.newBufferedReader(DIR.resolve(file))) {
      Map<String, Object> config = new Yaml().load(in);
      assertThat(config)
          .containsEntry("apiVersion", "kubescheduler.config.k8s.io/v1")
          .containsEntry("kind", "KubeSchedulerConfiguration");
      return (List<Map<String, Object>>) config.get("extenders");
    }
  }

  @SuppressWarnings("unchecked")
  private static void servedByThisExtender(Map<String, Object> extender) {
    assertThat((String) extender.get("urlPrefix"))
        .matches(
            "https://(gpu-quota-admission|nvidia-mps-scheduler-plugin)\\.kube-system\\.svc/scheduler");
    assertThat(extender)
        .containsEntry("filterVerb", "predicates")
        .containsEntry("enableHTTPS", true);
    assertThat(extender.get("tlsConfig")).isInstanceOf(Map.class);
    List<Map<String, Object>> resources =
        (List<Map<String, Object>>) extender.get("managedResources");
    assertThat(resources).extracting(r -> (String) r.get("name")).isSubsetOf(SHARE_RESOURCES);
  }

  @Test
  void filterOnlyHasOneExtenderPerServiceAndNoBindVerb() throws IOException {
    List<Map<String, Object>> extenders = extenders("kube-scheduler-config-filter-only.yaml");

    assertThat(extenders).hasSize(2).allSatisfy(SchedulerConfigFilesTest::servedByThisExtender);
    assertThat(extenders)
        .allSatisfy(e -> assertThat(e).doesNotContainKeys("bindVerb", "prioritizeVerb"));
  }

  @Test
  void bindHasTheOneBinderForBothFamilies() throws IOException {
    List<Map<String, Object>> extenders = extenders("kube-scheduler-config-bind.yaml");

    assertThat(extenders).singleElement().satisfies(e -> {
      servedByThisExtender(e);
      assertThat(e)
          .containsEntry("bindVerb", "bind")
          .containsEntry("prioritizeVerb", "priorities")
          .containsEntry("nodeCacheCapable", true);
      assertThat((Integer) e.get("weight")).isPositive();
    });
  }
}
