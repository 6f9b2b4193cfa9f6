package io.kubeaccel.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.Yaml;

/** Runs helm on the repository's chart. */
final class Helm {

  /** What a helm run printed and how it ended. */
  record Outcome(int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  static final String RELEASE = "kubeaccel";
  static final String NAMESPACE = "kube-system";

  private final Path binary;
  private final Path chart;

  Helm(Path binary, Path chart) {
    this.binary = binary;
    this.chart = chart;
  }

  static Helm forRepository() {
    return new Helm(HelmBinary.locate(), Repository.root().resolve("deploy/helm/kubeaccel"));
  }

  Path binary() {
    return binary;
  }

  /** {@code helm template} with these values (nested maps, as a values file would hold them). */
  Outcome template(Map<String, ?> values) {
    return templateIn(NAMESPACE, values);
  }

  /** {@code helm template} into {@code namespace}. */
  Outcome templateIn(String namespace, Map<String, ?> values) {
    return withValues(
        values,
        file -> run(List.of(
            binary.toString(),
            "template",
            RELEASE,
            chart.toString(),
            "--namespace",
            namespace,
            "--values",
            file.toString())));
  }

  /** The rendered YAML of {@link #template}, failing with helm's own message when it does not render. */
  String render(Map<String, ?> values) {
    Outcome outcome = template(values);
    if (!outcome.ok()) {
      throw new AssertionError("helm template " + values + " failed:\n" + outcome.output());
    }
    return outcome.output();
  }

  Outcome lint(Map<String, ?> values) {
    return withValues(
        values,
        file -> run(List.of(
            binary.toString(),
            "lint",
            "--strict",
            chart.toString(),
            "--namespace",
            NAMESPACE,
            "--values",
            file.toString())));
  }

  private interface WithFile {
    Outcome run(Path file);
  }

  private static Outcome withValues(Map<String, ?> values, WithFile action) {
    try {
      Path file = Files.createTempFile("kubeaccel-values", ".yaml");
      try {
        Files.writeString(file, new Yaml().dump(values));
        return action.run(file);
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Outcome run(List<String> command) {
    List<String> full = new ArrayList<>(command);
    try {
      Process process = new ProcessBuilder(full)
          .redirectErrorStream(true)
          .directory(Repository.root().toFile())
          .start();
      process.getOutputStream().close();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError("timed out: " + full);
      }
      return new Outcome(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + full, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
