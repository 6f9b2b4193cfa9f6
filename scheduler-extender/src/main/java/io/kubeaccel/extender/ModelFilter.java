package io.kubeaccel.extender;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Which card models a pod accepts, from its annotations {@value #INCLUDE} and {@value #EXCLUDE}: comma-separated
 * substrings of the model name, compared without regard to case. A card qualifies when its model contains one of the
 * included substrings (or none is given) and none of the excluded ones.
 *
 * @param include lower-case substrings, any of which a model must contain; empty means every model
 * @param exclude lower-case substrings none of which a model may contain
 */
record ModelFilter(List<String> include, List<String> exclude) {

  static final String INCLUDE = "kubeaccel.io/gpu-model";
  static final String EXCLUDE = "kubeaccel.io/gpu-model-exclude";
  static final ModelFilter ANY = new ModelFilter(List.of(), List.of());

  ModelFilter {
    include = List.copyOf(include);
    exclude = List.copyOf(exclude);
  }

  static ModelFilter of(String include, String exclude) {
    return new ModelFilter(parts(include), parts(exclude));
  }

  boolean restricts() {
    return !include.isEmpty() || !exclude.isEmpty();
  }

  boolean accepts(String model) {
    String name = model == null ? "" : model.toLowerCase(Locale.ROOT);
    return (include.isEmpty() || include.stream().anyMatch(name::contains))
        && exclude.stream().noneMatch(name::contains);
  }

  /** E.g. {@code gpu-model="a100,h100" gpu-model-exclude="mig"}. */
  String describe() {
    StringBuilder out = new StringBuilder();
    if (!include.isEmpty()) {
      out.append(INCLUDE).append("=\"").append(String.join(",", include)).append('"');
    }
    if (!exclude.isEmpty()) {
      out.append(out.length() > 0 ? " " : "")
          .append(EXCLUDE)
          .append("=\"")
          .append(String.join(",", exclude))
          .append('"');
    }
    return out.toString();
  }

  private static List<String> parts(String value) {
    if (value == null) {
      return List.of();
    }
    return Arrays.stream(value.split(","))
        .map(s -> s.trim().toLowerCase(Locale.ROOT))
        .filter(s -> !s.isEmpty())
        .distinct()
        .toList();
  }
}
