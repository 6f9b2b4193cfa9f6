package io.kubeaccel.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.List;
import java.util.Set;

/**
 * The UI's custom resource limitation ConfigMaps (SPEC §6): namespace kube-public, name
 * {@code cf-crl-<customName>-<keyName>}, the feature labels, and exactly the data fields the UI reads.
 */
final class CrlChecks {

  static final Set<String> DATA_FIELDS = Set.of(
      "key",
      "dataType",
      "defaultValue",
      "descriptionZh",
      "descriptionEn",
      "group",
      "limits",
      "requests");

  private CrlChecks() {}

  static void check(List<ConfigMap> configMaps) {
    for (ConfigMap map : configMaps) {
      String name = map.getMetadata().getName();
      if (!name.startsWith("cf-crl-")) {
        continue;
      }
      assertThat(name)
          .as("a cf-crl name is cf-crl-<customName>-<keyName>, a DNS subdomain")
          .matches("cf-crl-[a-z0-9]+(-[a-z0-9]+)+")
          .hasSizeLessThanOrEqualTo(253);
      assertThat(map.getMetadata().getNamespace()).as(name).isEqualTo("kube-public");
      assertThat(map.getData().keySet()).as("%s data fields", name).isEqualTo(DATA_FIELDS);
      assertThat(map.getData().get("limits"))
          .as("%s limits", name)
          .isIn("disabled", "required", "optional");
      assertThat(map.getData().get("requests"))
          .as("%s requests", name)
          .isIn("disabled", "required", "fromLimits");
      assertThat(map.getMetadata().getLabels())
          .as("%s labels", name)
          .containsEntry("features.alauda.io/type", "CustomResourceLimitation")
          .containsEntry("features.alauda.io/group", map.getData().get("group"))
          .containsEntry("features.alauda.io/enabled", "true");
      assertThat(map.getData().get("key")).as("%s key", name).isNotBlank();
      assertThat(map.getData().get("descriptionEn"))
          .as("%s descriptionEn", name)
          .isNotBlank();
      assertThat(map.getData().get("descriptionZh"))
          .as("%s descriptionZh", name)
          .isNotBlank();
    }
  }
}
