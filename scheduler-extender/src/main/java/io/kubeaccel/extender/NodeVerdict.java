package io.kubeaccel.extender;

import io.kubeaccel.core.sharing.PodFit;

/** Whether a pod fits one node, and how well. */
sealed interface NodeVerdict {

  /**
   * The pod fits.
   *
   * @param fit the cards each container would get
   * @param score 0..10 by the pod's node policy
   */
  record Fits(PodFit.Fits fit, int score) implements NodeVerdict {}

  /**
   * It does not.
   *
   * @param reason for a person
   * @param unresolvable whether freeing capacity (preemption) could not help
   */
  record Fails(String reason, boolean unresolvable) implements NodeVerdict {}
}
