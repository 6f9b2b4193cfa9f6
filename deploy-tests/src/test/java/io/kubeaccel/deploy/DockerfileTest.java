package io.kubeaccel.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.agent.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's Dockerfile checked without a Docker engine: what its build stage copies and runs, what the runtime
 * stage takes from it, and the entrypoint script run for real on this JVM.
 */
class DockerfileTest {

  private static final String HOME = "/opt/kubeaccel";
  private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");

  private static Path repo;
  private static List<Stage> stages;

  @TempDir
  Path temp;

  /** One instruction: its keyword, upper case, and the rest of its (joined) lines. */
  record Instruction(String keyword, String arguments) {}

  /** A build stage: its FROM line and its instructions. */
  record Stage(String from, List<Instruction> instructions) {
    List<String> all(String keyword) {
      return instructions.stream()
          .filter(i -> i.keyword().equals(keyword))
          .map(Instruction::arguments)
          .toList();
    }
  }

  @BeforeAll
  static void parseTheDockerfile() throws IOException {
    repo = Repository.root();
    stages = parse(Files.readString(repo.resolve("Dockerfile"), StandardCharsets.UTF_8));
  }

  /** Comments dropped, continuation lines joined, split into stages at each FROM. */
  static List<Stage> parse(String dockerfile) {
    List<Stage> parsed = new ArrayList<>();
    StringBuilder logical = new StringBuilder();
    for (String line : dockerfile.split("\n", -1)) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && logical.length() == 0)) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        logical.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      logical.append(trimmed);
      String[] words = logical.toString().strip().split("\\s+", 2);
      logical.setLength(0);
      Instruction instruction =
          new Instruction(words[0].toUpperCase(), words.length > 1 ? words[1] : "");
      if (instruction.keyword().equals("FROM")) {
        parsed.add(new Stage(instruction.arguments(), new ArrayList<>()));
      } else if (!instruction.keyword().isEmpty()) {
        assertThat(parsed).as("instruction before FROM: " + instruction).isNotEmpty();
        parsed.get(parsed.size() - 1).instructions().add(instruction);
      }
    }
    return parsed;
  }

  private static Stage build() {
    return stages.get(0);
  }

  private static Stage runtime() {
    return stages.get(stages.size() - 1);
  }

  @Test
  void theBuildStageIsAnExactlyTaggedMavenTemurin17ImageWithGcc() {
    assertThat(stages).hasSize(2);
    assertThat(build().from()).matches("maven:3\\.9\\.\\d+-eclipse-temurin-17 AS build");
    assertThat(build().all("RUN"))
        .anyMatch(run -> run.contains("apt-get install") && run.contains(" gcc"));
    assertThat(runtime().from()).matches("[a-z./-]+:[0-9][\\w.-]*").doesNotContain("latest");
  }

  @Test
  void everyFileTheBuildStageCopiesIsInTheRepositoryAndEveryMavenModuleIsCopied()
      throws IOException {
    List<String> sources = new ArrayList<>();
    for (String copy : build().all("COPY")) {
      List<String> words = Arrays.asList(copy.split("\\s+"));
      assertThat(words.get(0))
          .as("the build stage copies from the context")
          .doesNotStartWith("--from");
      sources.addAll(words.subList(0, words.size() - 1));
    }
    assertThat(sources).allSatisfy(source -> assertThat(repo.resolve(source)).exists());

    String pom = Files.readString(repo.resolve("pom.xml"), StandardCharsets.UTF_8);
    Matcher module = MODULE.matcher(pom);
    List<String> modules = new ArrayList<>();
    while (module.find()) {
      modules.add(module.group(1) + "/");
    }
    assertThat(modules).isNotEmpty();
    assertThat(sources).contains("pom.xml").containsAll(modules);
  }

  @Test
  void theBuildStageRunsTheMavenCommandOfCiWithoutTheTests() throws IOException {
    List<String> ci = Files.readAllLines(repo.resolve(".ci/run"), StandardCharsets.UTF_8).stream()
        .map(String::strip)
        .filter(line -> line.startsWith("mvn "))
        .map(line -> List.of(line.split("\\s+")))
        .reduce((first, last) -> last)
        .orElseThrow(() -> new AssertionError(".ci/run runs no mvn command"));
    List<String> image = build().all("RUN").stream()
        .filter(run -> run.contains("mvn "))
        .map(run -> List.of(run.substring(run.indexOf("mvn ")).split("\\s+")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("the build stage runs no mvn command"));

    assertThat(image).contains("-DskipTests", "package");
    List<String> withTests = image.stream()
        .filter(word -> !word.equals("-DskipTests"))
        .map(word -> word.equals("package") ? "verify" : word)
        .toList();
    assertThat(withTests).as("the image's build, tests put back").isEqualTo(ci);
  }

  @Test
  void theRuntimeStageTakesOnlyTheTreeBuildRootfsLaysOutFromFilesTheBuildHas() throws IOException {
    assertThat(runtime().all("COPY")).containsExactly("--from=build " + HOME + " " + HOME);
    assertThat(runtime().all("RUN"))
        .as("the runtime stage proves the copied archive still matches its jar")
        .singleElement(InstanceOfAssertFactories.STRING)
        .contains("\"" + HOME + "/jre/bin/java\"", "\"-Xshare:on\"")
        .contains("\"-XX:SharedArchiveFile=" + HOME + "/kubeaccel.jsa\"")
        .contains("\"-jar\", \"" + HOME + "/kubeaccel.jar\"");
    List<String> runs = build().all("RUN");
    assertThat(runs.get(runs.size() - 1))
        .as("build-rootfs.sh at / after the Maven build, so that /opt/kubeaccel is its tree")
        .isEqualTo("deploy/image/build-rootfs.sh /");

    String script =
        Files.readString(repo.resolve("deploy/image/build-rootfs.sh"), StandardCharsets.UTF_8);
    assertThat(script).contains("home=\"${1%/}" + HOME + "\"");
    Matcher input = Pattern.compile("\\$repo/([\\w./-]+)").matcher(script);
    List<String> inputs = new ArrayList<>();
    while (input.find()) {
      inputs.add(input.group(1));
    }
    assertThat(inputs).contains("agent/target/kubeaccel.jar", "deploy/image/kubeaccel");
    assertThat(inputs)
        .as("built by `mvn package` before this module's tests, or in the repository")
        .allSatisfy(path -> assertThat(repo.resolve(path)).exists());
  }

  @Test
  void theImageRunsTheEntrypointAsNonRootWithHelpByDefaultAndLabels() {
    assertThat(runtime().all("ENTRYPOINT")).containsExactly("[\"" + HOME + "/bin/kubeaccel\"]");
    assertThat(runtime().all("CMD")).containsExactly("[\"--help\"]");
    assertThat(runtime().all("USER")).containsExactly("65532:65532");
    assertThat(runtime().all("ENV")).anyMatch(env -> env.startsWith("PATH=" + HOME + "/jre/bin:"));
    String labels = String.join(" ", runtime().all("LABEL"));
    assertThat(labels)
        .contains("org.opencontainers.image.title=\"kubeaccel\"")
        .contains("org.opencontainers.image.description=")
        .contains("org.opencontainers.image.version=\"${VERSION}\"");
    assertThat(runtime().all("ARG")).contains("VERSION=" + projectVersion());
  }

  @Test
  void theEntrypointScriptRunsTheCliOfTheJar() throws Exception {
    Result version = entrypoint(Map.of(), "--version");
    assertThat(version.exitCode()).as(version.output()).isZero();
    assertThat(version.output().strip()).isEqualTo("kubeaccel " + projectVersion());

    Result help = entrypoint(Map.of(), "--help");
    assertThat(help.exitCode()).as(help.output()).isZero();
    assertThat(help.output())
        .contains("pgpu", "vgpu", "mps", "extender", "simulate", "simulate-node", "doctor");
  }

  @Test
  void optionsInJavaOptsComeAfterTheDefaultsSoALaterHeapLimitWins() throws Exception {
    Result flags = entrypoint(Map.of("JAVA_OPTS", "-Xmx320m -XX:+PrintFlagsFinal"), "--version");

    assertThat(flags.exitCode()).as(flags.output()).isZero();
    assertThat(flags.output())
        .containsPattern("size_t MaxHeapSize\\s+= 335544320 ")
        .containsPattern("bool UseSerialGC\\s+= true ")
        .containsPattern("intx TieredStopAtLevel\\s+= 1 ")
        .containsPattern("bool UsePerfData\\s+= false ");
  }

  @Test
  void theExtenderRunsWithC2AndTheParallelCollector() throws Exception {
    Result flags = entrypoint(Map.of("JAVA_OPTS", "-XX:+PrintFlagsFinal"), "extender", "--version");

    assertThat(flags.exitCode()).as(flags.output()).isZero();
    assertThat(flags.output())
        .containsPattern("bool UseParallelGC\\s+= true ")
        .containsPattern("bool UseSerialGC\\s+= false ")
        .containsPattern("intx TieredStopAtLevel\\s+= 4 ")
        .containsPattern("size_t MaxHeapSize\\s+= 335544320 ")
        .containsPattern("bool UsePerfData\\s+= false ")
        .contains("kubeaccel " + projectVersion());
  }

  @Test
  void withoutTheDefaultsJavaOptsMayChooseAnotherCollector() throws Exception {
    Result clash = entrypoint(Map.of("JAVA_OPTS", "-XX:+UseG1GC"), "--version");
    Result chosen = entrypoint(
        Map.of("KUBEACCEL_JVM_DEFAULTS", "none", "JAVA_OPTS", "-XX:+UseG1GC -XX:+PrintFlagsFinal"),
        "--version");
    Result typo = entrypoint(Map.of("KUBEACCEL_JVM_DEFAULTS", "off"), "--version");

    assertThat(clash.exitCode()).isNotZero();
    assertThat(clash.output()).contains("Multiple garbage collectors selected");
    assertThat(chosen.exitCode()).as(chosen.output()).isZero();
    assertThat(chosen.output()).containsPattern("bool UseG1GC\\s+= true ");
    assertThat(typo.exitCode()).isEqualTo(2);
    assertThat(typo.output()).contains("KUBEACCEL_JVM_DEFAULTS=off is not one of: auto, none");
  }

  @Test
  void theEntrypointsDefaultsAreTheJvmOptionsBenchMeasures() throws IOException {
    StringWriter out = new StringWriter();
    // Wide enough that no option is wrapped across lines.
    Main.commandLine()
        .setUsageHelpWidth(1000)
        .setOut(new PrintWriter(out, true))
        .execute("bench", "--help");
    List<String> measured = Arrays.stream(out.toString().split("\\s+"))
        .filter(word -> word.matches("-(X|D)\\S+"))
        .toList();
    String script =
        Files.readString(repo.resolve("deploy/image/kubeaccel"), StandardCharsets.UTF_8);

    assertThat(measured).contains("-Xmx32m", "-XX:+UseSerialGC", "-XX:-UsePerfData");
    String agentDefaults =
        script.substring(script.indexOf("agent_options=\""), script.indexOf("extender_options=\""));
    assertThat(measured)
        .allSatisfy(option -> assertThat(agentDefaults).contains("  " + option + " \\\n"));
    assertThat(script).contains("MALLOC_ARENA_MAX=\"${MALLOC_ARENA_MAX:-2}\"");
  }

  /**
   * build-rootfs.sh records the image's archive with `bench --record-archive` through the entrypoint; the entrypoint
   * then starts every role with it, and the JVM maps it (classes come from "shared objects file (top)").
   */
  @Test
  void theImagesArchiveIsRecordedFromAnAgentRunAndUsedByTheEntrypoint() throws Exception {
    String script =
        Files.readString(repo.resolve("deploy/image/build-rootfs.sh"), StandardCharsets.UTF_8);
    assertThat(script)
        .contains("\"$home/bin/kubeaccel\" bench --record-archive \"$home/kubeaccel.jsa\"");
    entrypoint(Map.of(), "--version"); // lays out the home directory
    Path archive = temp.resolve("opt/kubeaccel/kubeaccel.jsa");

    Result recorded = entrypoint(
        Map.of("JAVA_OPTS", "-Xmx256m"), "bench", "--record-archive", archive.toString());
    Result used = entrypoint(Map.of("JAVA_OPTS", "-Xlog:class+load=info"), "--version");

    assertThat(recorded.exitCode()).as(recorded.output()).isZero();
    assertThat(recorded.output()).contains("recorded " + archive, "with Kubernetes");
    assertThat(Files.size(archive)).isGreaterThan(10L << 20);
    assertThat(used.exitCode()).as(used.output()).isZero();
    assertThat(used.output()).contains("io.kubeaccel.agent.Main source: shared objects file (top)");
  }

  private record Result(int exitCode, String output) {}

  /**
   * Runs deploy/image/kubeaccel as the image would, with this JVM as its {@code java} (the only one on PATH) and the
   * built jar where the image has it.
   */
  private Result entrypoint(Map<String, String> environment, String... args) throws Exception {
    Path jar = repo.resolve("agent/target/kubeaccel.jar");
    assertThat(jar).as("built by `mvn package` before this module's tests").isRegularFile();
    Path home = Files.createDirectories(temp.resolve("opt/kubeaccel"));
    Path bin = Files.createDirectories(temp.resolve("bin"));
    if (!Files.exists(home.resolve("kubeaccel.jar"))) {
      Files.createSymbolicLink(home.resolve("kubeaccel.jar"), jar);
      Files.createSymbolicLink(
          bin.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));
    }
    String script =
        Files.readString(repo.resolve("deploy/image/kubeaccel"), StandardCharsets.UTF_8);
    assertThat(script).contains("\nhome=" + HOME + "\n");
    Path copy = Files.writeString(
        temp.resolve("kubeaccel"),
        script.replace("\nhome=" + HOME + "\n", "\nhome=" + home + "\n"));

    List<String> command = new ArrayList<>(List.of("/bin/sh", copy.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove("JAVA_OPTS");
    builder.environment().remove("KUBEACCEL_JVM_DEFAULTS");
    builder.environment().put("PATH", bin + ":/usr/bin:/bin");
    builder.environment().putAll(environment);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), output);
  }

  private static String projectVersion() {
    try {
      String pom = Files.readString(repo.resolve("pom.xml"), StandardCharsets.UTF_8);
      Matcher version = Pattern.compile(
              "<artifactId>kubeaccel-parent</artifactId>\\s*<version>([^<]+)</version>")
          .matcher(pom);
      assertThat(version.find()).as("the root pom's version").isTrue();
      return version.group(1);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
