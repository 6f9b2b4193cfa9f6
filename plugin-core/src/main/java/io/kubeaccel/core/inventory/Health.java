package io.kubeaccel.core.inventory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Health of one GPU: whether it may be handed out, and every reason it may not.
 *
 * <p>Several parts of an agent can take a card out of service for their own reasons (an XID, the MPS daemon being
 * down, another mode's containers still holding it). Each reason starts with its part's own prefix ({@code XID },
 * {@code MPS daemon down: }, ...); a part adds or clears only reasons with its prefix, and the card is healthy when
 * none is left. So an XID that arrives while the card is out for another reason is still there when that reason
 * clears.
 *
 * @param problems the reasons the card is out of service, in the order they arose; empty when healthy
 * @param since when the card last became healthy or unhealthy
 */
public record Health(List<String> problems, Instant since) {

  /** The kubelet's wire spelling of a healthy device. */
  public static final String HEALTHY = "Healthy";

  /** The kubelet's wire spelling of an unhealthy device. */
  public static final String UNHEALTHY = "Unhealthy";

  public Health {
    problems = List.copyOf(problems);
  }

  public static Health healthy(Instant since) {
    return new Health(List.of(), since);
  }

  public static Health unhealthy(String reason, Instant since) {
    return new Health(List.of(reason), since);
  }

  /** Whether containers may be given this card: no problem is recorded. */
  public boolean healthy() {
    return problems.isEmpty();
  }

  /** Why the card is unhealthy, every reason joined with {@code "; "}; empty when healthy. */
  public String reason() {
    return String.join("; ", problems);
  }

  /** Whether a reason with this prefix is recorded. */
  public boolean has(String prefix) {
    return problems.stream().anyMatch(problem -> problem.startsWith(prefix));
  }

  /**
   * This health with {@code prefix + detail} recorded in place of any reason with the same prefix; {@code since}
   * moves to {@code now} only when the card becomes unhealthy by it.
   */
  public Health with(String prefix, String detail, Instant now) {
    List<String> next = new ArrayList<>();
    boolean replaced = false;
    for (String problem : problems) {
      if (problem.startsWith(prefix)) {
        if (!replaced) {
          next.add(prefix + detail);
          replaced = true;
        }
      } else {
        next.add(problem);
      }
    }
    if (!replaced) {
      next.add(prefix + detail);
    }
    return new Health(next, healthy() ? now : since);
  }

  /** This health without the reasons that start with {@code prefix}; healthy since {@code now} when none is left. */
  public Health without(String prefix, Instant now) {
    List<String> next =
        problems.stream().filter(problem -> !problem.startsWith(prefix)).toList();
    return new Health(next, !healthy() && next.isEmpty() ? now : since);
  }

  /** {@code Healthy} or {@code Unhealthy}, exactly as the device-plugin API spells them. */
  public String wireValue() {
    return healthy() ? HEALTHY : UNHEALTHY;
  }
}
