package io.kubeaccel.agent.doctor;

import java.util.Objects;

/**
 * What one check found.
 *
 * @param name the check's stable name, e.g. {@code mig} (the JSON key consumers match on)
 * @param status the verdict
 * @param detail what was found, for a human; may span lines
 * @param fix exactly what to do about a WARN or FAIL (commands to run, options to pass); empty for PASS and SKIP
 */
public record CheckResult(String name, CheckStatus status, String detail, String fix) {

  public CheckResult {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(fix, "fix");
    boolean needsFix = status == CheckStatus.WARN || status == CheckStatus.FAIL;
    if (needsFix == fix.isBlank()) {
      throw new IllegalArgumentException(
          needsFix ? status + " needs a fix: " + name : status + " takes no fix: " + name);
    }
  }

  public static CheckResult pass(String name, String detail) {
    return new CheckResult(name, CheckStatus.PASS, detail, "");
  }

  public static CheckResult warn(String name, String detail, String fix) {
    return new CheckResult(name, CheckStatus.WARN, detail, fix);
  }

  public static CheckResult fail(String name, String detail, String fix) {
    return new CheckResult(name, CheckStatus.FAIL, detail, fix);
  }

  public static CheckResult skip(String name, String detail) {
    return new CheckResult(name, CheckStatus.SKIP, detail, "");
  }
}
