package io.kubeaccel.agent.doctor;

/**
 * One preflight check of a node. An implementation looks at one prerequisite and returns a verdict value; it never
 * changes the node.
 *
 * <p>Contract: {@link #run} returns a result for every condition it can meet on a node, missing files, NVML failures
 * and an unreachable API server included; the {@link Doctor} turns anything thrown, and a call that does not return
 * within the per-check timeout, into a FAIL of this check, so one broken check never stops the others. Checks run
 * concurrently and share only the {@link DoctorContext}, whose lazily opened resources are safe to use from several
 * threads.
 */
public interface DoctorCheck {

  /** The stable name results carry, lower-case with dashes, e.g. {@code container-runtime}. */
  String name();

  /** Looks at the node and says what it found. */
  CheckResult run(DoctorContext ctx);
}
