package io.kubeaccel.agent.doctor;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The verdicts of one doctor run, in check order, and their two renderings: a table for people, JSON for tools.
 *
 * @param mode the mode checked for, empty when none was given
 * @param results one per check
 */
public record DoctorReport(Optional<DoctorMode> mode, List<CheckResult> results) {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  public DoctorReport {
    Objects.requireNonNull(mode, "mode");
    results = List.copyOf(results);
  }

  /** How many results have {@code status}. */
  public long count(CheckStatus status) {
    return results.stream().filter(r -> r.status() == status).count();
  }

  /** 1 when a check failed, else 0. */
  public int exitCode() {
    return count(CheckStatus.FAIL) > 0 ? 1 : 0;
  }

  /** The worst verdict: FAIL, else WARN, else PASS (skipped checks do not count). */
  public CheckStatus overall() {
    if (count(CheckStatus.FAIL) > 0) {
      return CheckStatus.FAIL;
    }
    return count(CheckStatus.WARN) > 0 ? CheckStatus.WARN : CheckStatus.PASS;
  }

  /**
   * The table: CHECK, STATUS, DETAIL columns, a {@code FIX:} line under every WARN and FAIL, and a summary line.
   * Detail and fix lines that do not fit are not wrapped, so they can be copied whole.
   */
  public String table() {
    int nameWidth = "CHECK".length();
    for (CheckResult result : results) {
      nameWidth = Math.max(nameWidth, result.name().length());
    }
    String row = "%-" + nameWidth + "s  %-6s  %s%n";
    String indent = " ".repeat(nameWidth + 2 + 6 + 2);
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, row, "CHECK", "STATUS", "DETAIL"));
    for (CheckResult result : results) {
      List<String> detail = result.detail().lines().toList();
      out.append(String.format(
          Locale.ROOT, row, result.name(), result.status(), detail.isEmpty() ? "" : detail.get(0)));
      detail.stream().skip(1).forEach(line -> out.append(indent).append(line).append('\n'));
      List<String> fix = result.fix().lines().toList();
      for (int i = 0; i < fix.size(); i++) {
        out.append(indent).append(i == 0 ? "FIX: " : "     ").append(fix.get(i)).append('\n');
      }
    }
    out.append(String.format(
        Locale.ROOT,
        "%n%d checks%s: %d passed, %d warnings, %d failed, %d skipped -> %s%n",
        results.size(),
        mode.map(m -> " for mode " + m.label()).orElse(" (no --mode: every mode's requirements)"),
        count(CheckStatus.PASS),
        count(CheckStatus.WARN),
        count(CheckStatus.FAIL),
        count(CheckStatus.SKIP),
        overall()));
    return out.toString();
  }

  /**
   * One JSON object: {@code {"checks": [{"name", "status", "detail", "fix"}], "summary": {"mode", "pass", "warn",
   * "fail", "skip", "result", "exitCode"}}}; {@code fix} and {@code mode} are {@code null} when there is none.
   */
  public String json() {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode checks = root.putArray("checks");
    for (CheckResult result : results) {
      ObjectNode check = checks.addObject();
      check.put("name", result.name());
      check.put("status", result.status().name());
      check.put("detail", result.detail());
      if (result.fix().isEmpty()) {
        check.putNull("fix");
      } else {
        check.put("fix", result.fix());
      }
    }
    ObjectNode summary = root.putObject("summary");
    if (mode.isPresent()) {
      summary.put("mode", mode.get().label());
    } else {
      summary.putNull("mode");
    }
    summary.put("pass", count(CheckStatus.PASS));
    summary.put("warn", count(CheckStatus.WARN));
    summary.put("fail", count(CheckStatus.FAIL));
    summary.put("skip", count(CheckStatus.SKIP));
    summary.put("result", overall().name());
    summary.put("exitCode", exitCode());
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
  }
}
