package io.kubeaccel.agent.doctor;

/** The verdict of one check, in the spelling the table and JSON use. */
public enum CheckStatus {
  /** The prerequisite is met. */
  PASS,
  /** It works, but something will bite later or in another mode; the result carries a fix. */
  WARN,
  /** The node is not ready for the mode; the result carries a fix. Makes doctor exit 1. */
  FAIL,
  /** The check could not run (NVML did not load, the API server is unreachable); the detail says why. */
  SKIP
}
