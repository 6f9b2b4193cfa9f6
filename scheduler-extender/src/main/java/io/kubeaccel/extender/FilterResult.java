package io.kubeaccel.extender;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * kube-scheduler's {@code ExtenderFilterResult}, by node name: the nodes that pass, those that fail with a reason
 * ({@code FailedNodes}: preemption may help), those that fail for good ({@code FailedAndUnresolvableNodes}), or an
 * {@code Error} for the whole request.
 */
record FilterResult(
    List<String> passing,
    Map<String, String> failed,
    Map<String, String> unresolvable,
    String error) {

  /** Takes the maps as given (callers build them fresh, in node order), read-only from here on. */
  FilterResult {
    passing = Collections.unmodifiableList(passing);
    failed = Collections.unmodifiableMap(failed);
    unresolvable = Collections.unmodifiableMap(unresolvable);
    error = error == null ? "" : error;
  }

  static FilterResult error(String message) {
    return new FilterResult(List.of(), Map.of(), Map.of(), message);
  }

  static FilterResult allPass(List<String> nodes) {
    return new FilterResult(nodes, Map.of(), Map.of(), "");
  }

  static FilterResult allUnresolvable(List<String> nodes, String reason) {
    Map<String, String> failed = new LinkedHashMap<>();
    nodes.forEach(node -> failed.put(node, reason));
    return new FilterResult(List.of(), Map.of(), failed, "");
  }
}
