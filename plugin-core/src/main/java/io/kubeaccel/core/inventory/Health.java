package io.kubeaccel.core.inventory;

import java.time.Instant;

/**
 * Health of one GPU: whether it may be handed out, and why not.
 *
 * @param healthy whether containers may be given this card
 * @param reason why it is unhealthy (e.g. {@code XID 79}), empty when healthy
 * @param since when the card entered this state
 */
public record Health(boolean healthy, String reason, Instant since) {

  /** The kubelet's wire spelling of a healthy device. */
  public static final String HEALTHY = "Healthy";

  /** The kubelet's wire spelling of an unhealthy device. */
  public static final String UNHEALTHY = "Unhealthy";

  public static Health healthy(Instant since) {
    return new Health(true, "", since);
  }

  public static Health unhealthy(String reason, Instant since) {
    return new Health(false, reason, since);
  }

  /** {@code Healthy} or {@code Unhealthy}, exactly as the device-plugin API spells them. */
  public String wireValue() {
    return healthy ? HEALTHY : UNHEALTHY;
  }
}
