package io.kubeaccel.agent.doctor;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The NVIDIA container toolkit is 1.7.0 or newer, as its CLI reports with {@code --version}. Toolkits older than
 * {@code nvidia-ctk} are asked through {@code nvidia-container-toolkit} or {@code nvidia-container-runtime} in the same
 * directory. The binary gets a timeout of its own, so a hung one cannot hold doctor.
 */
final class ContainerToolkitCheck implements DoctorCheck {

  static final String NAME = "container-toolkit";
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  static final Version MINIMUM = new Version(1, 7, 0);

  private static final Pattern VERSION =
      Pattern.compile("version\\s+v?(\\d+)\\.(\\d+)\\.(\\d+)", Pattern.CASE_INSENSITIVE);
  private static final Pattern ANY_VERSION = Pattern.compile("\\b(\\d+)\\.(\\d+)\\.(\\d+)\\b");
  private static final String INSTALL =
      "install the NVIDIA container toolkit (package nvidia-container-toolkit, 1.7.0 or newer, from"
          + " https://nvidia.github.io/libnvidia-container)";

  /** A toolkit version. */
  record Version(int major, int minor, int patch) implements Comparable<Version> {
    @Override
    public int compareTo(Version other) {
      if (major != other.major) {
        return Integer.compare(major, other.major);
      }
      return minor != other.minor
          ? Integer.compare(minor, other.minor)
          : Integer.compare(patch, other.patch);
    }

    @Override
    public String toString() {
      return major + "." + minor + "." + patch;
    }
  }

  private final Duration timeout;

  ContainerToolkitCheck(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CheckResult run(DoctorContext ctx) {
    Path configured = ctx.paths().nvidiaCtk();
    Optional<Path> binary = candidates(configured).stream()
        .filter(path -> Files.isRegularFile(path) && Files.isExecutable(path))
        .findFirst();
    if (binary.isEmpty()) {
      return CheckResult.warn(
          NAME,
          "no NVIDIA container toolkit CLI at " + configured
              + " (nor nvidia-container-toolkit or nvidia-container-runtime beside it)",
          INSTALL + "; if it is installed elsewhere, pass --nvidia-ctk <path to nvidia-ctk>");
    }
    String command = binary.get() + " --version";
    Run run;
    try {
      run = runVersion(binary.get());
    } catch (IOException e) {
      return CheckResult.warn(
          NAME, "`" + command + "` could not run: " + e.getMessage(), INSTALL + ", or repair it");
    }
    if (run.timedOut()) {
      return CheckResult.warn(
          NAME,
          "`" + command + "` gave no answer within " + timeout.toMillis() + " ms",
          "run `" + command + "` by hand to see why it hangs; reinstall the toolkit if it does");
    }
    Optional<Version> version = parse(run.output());
    if (run.exitCode() != 0 || version.isEmpty()) {
      return CheckResult.warn(
          NAME,
          "`" + command + "` exited with " + run.exitCode() + " and no version: "
              + firstLine(run.output()),
          "run `" + command + "` by hand; " + INSTALL);
    }
    if (version.get().compareTo(MINIMUM) < 0) {
      return CheckResult.fail(
          NAME,
          binary.get() + " reports version " + version.get() + "; kubeaccel needs " + MINIMUM
              + " or newer",
          "upgrade: `sudo apt-get install --only-upgrade nvidia-container-toolkit` (or `sudo dnf upgrade"
              + " nvidia-container-toolkit`), then restart the container runtime");
    }
    return CheckResult.pass(
        NAME, binary.get() + " reports version " + version.get() + " (needs " + MINIMUM + ")");
  }

  static List<Path> candidates(Path configured) {
    List<Path> paths = new ArrayList<>(List.of(configured));
    Path dir = configured.getParent();
    if (dir != null) {
      paths.add(dir.resolve("nvidia-container-toolkit"));
      paths.add(dir.resolve("nvidia-container-runtime"));
    }
    return paths;
  }

  /** The first {@code version X.Y.Z} of the output, else its first {@code X.Y.Z}. */
  static Optional<Version> parse(String output) {
    Matcher matcher = VERSION.matcher(output);
    if (!matcher.find()) {
      matcher = ANY_VERSION.matcher(output);
      if (!matcher.find()) {
        return Optional.empty();
      }
    }
    return Optional.of(new Version(
        Integer.parseInt(matcher.group(1)),
        Integer.parseInt(matcher.group(2)),
        Integer.parseInt(matcher.group(3))));
  }

  private record Run(boolean timedOut, int exitCode, String output) {}

  /** Output goes to a file, so a chatty or hung binary can never block doctor on a full pipe. */
  private Run runVersion(Path binary) throws IOException {
    Path output = Files.createTempFile("kubeaccel-doctor-", ".out");
    try {
      Process process = new ProcessBuilder(binary.toString(), "--version")
          .redirectErrorStream(true)
          .redirectOutput(output.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
      boolean finished;
      try {
        finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        finished = false;
      }
      if (!finished) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        return new Run(true, -1, "");
      }
      return new Run(false, process.exitValue(), read(output));
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static String read(Path output) throws IOException {
    byte[] bytes = Files.readAllBytes(output);
    return new String(bytes, 0, Math.min(bytes.length, 64 * 1024), StandardCharsets.UTF_8);
  }

  private static String firstLine(String output) {
    String line = output.strip().lines().findFirst().orElse("");
    return line.isEmpty() ? "(no output)" : "\"" + line + "\"";
  }
}
