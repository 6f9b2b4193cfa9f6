package io.kubeaccel.extender;

/** When the extender chooses a pod's cards and writes them on the pod. */
public enum AssignAt {
  /**
   * At {@code bind}: the scheduler configuration names {@code bindVerb: bind}. Filter passes every node that fits,
   * priorities score them, and bind chooses the cards on the node the scheduler picked, annotates the pod and
   * creates the Binding.
   */
  BIND("bind"),
  /**
   * At {@code predicates} (filter-only configurations, as gpu-admission): filter keeps only the single best node,
   * chooses its cards and annotates the pod before answering; the scheduler's own binder binds. Also correct when a
   * bind verb is configured (bind then reuses the choice).
   */
  FILTER("filter");

  private final String wireName;

  AssignAt(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /**
   * Parses {@code bind} or {@code filter}.
   *
   * @throws IllegalArgumentException naming the allowed values
   */
  public static AssignAt parse(String value) {
    for (AssignAt at : values()) {
      if (at.wireName.equals(value)) {
        return at;
      }
    }
    throw new IllegalArgumentException("\"" + value + "\" is not one of: bind, filter");
  }
}
