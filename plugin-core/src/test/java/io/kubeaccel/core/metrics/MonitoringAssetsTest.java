package io.kubeaccel.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.core.inventory.Health;
import io.kubeaccel.core.metrics.CardHolders.CardHolding;
import io.kubeaccel.nvml.fake.FakeInventory;
import io.kubeaccel.nvml.fake.FakeProcess;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The Grafana dashboards and Prometheus rules under {@code deploy/monitoring} are valid JSON and YAML, and query only
 * metrics (and labels) the agents export: the exported names are collected from an agent's registry with every
 * family exercised.
 */
class MonitoringAssetsTest {

  private static final Path ASSETS = Path.of("..", "deploy", "monitoring");
  /** Labels Prometheus or the shipped scrape configurations add to every series. */
  private static final Set<String> SCRAPE_LABELS = Set.of("node", "instance", "job", "pod_name");

  private static final Pattern METRIC = Pattern.compile("\\bkubeaccel_[a-z0-9_]+");
  private static final Pattern SELECTOR =
      Pattern.compile("\\b(kubeaccel_[a-z0-9_]+)\\s*\\{([^}]*)}");
  private static final Pattern MATCHER =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
  private static final Pattern TEMPLATE_LABEL =
      Pattern.compile("\\{\\{\\s*(?:\\$labels\\.)?([a-zA-Z_][a-zA-Z0-9_]*)\\s*}}");

  private static Exposition exported;

  /** Scrapes an agent on which every metric family has something to show. */
  @BeforeAll
  static void exportEverything() throws Exception {
    try (MetricsNode node = new MetricsNode(FakeInventory.fourGpusTwoNumaNvlinkPairs())) {
      node.process(
          4242,
          CgroupLayouts.v2SystemdContainerd(CgroupLayouts.POD_UID, CgroupLayouts.CONTAINER_ID));
      node.nvml.startProcess(node.uuid(0), FakeProcess.of(4242, 512, 40, 10));
      StaticNodePods pods = new StaticNodePods()
          .pod(CgroupLayouts.POD_UID, "ml", "trainer", "main", CgroupLayouts.CONTAINER_ID);
      node.start(new MetricsSources(
          ContainerResolver.fromPodCache(pods),
          inventory ->
              Optional.of(List.of(new CardHolding("ml", "trainer", "main", node.uuid(0))))));
      node.watch();
      node.metrics.allocationObserver().allocated("nvidia.com/gpu", 120_000);
      node.metrics.allocationObserver().rejected("nvidia.com/gpu");
      node.xids.record(node.uuid(1), 79);
      node.xids.recordIgnored(node.uuid(0), 13);
      node.store.update(inventory -> inventory.withHealth(
          node.uuid(1), Health.unhealthy("XID 79", Instant.parse("2025-01-01T00:00:00Z"))));
      exported = node.scrape();
    }
  }

  private static Set<String> exportedNames() {
    return exported.names();
  }

  @Test
  void theExercisedAgentShowsEveryFamilyOfTheCatalogue() {
    Set<String> expected = new TreeSet<>();
    for (MetricFamily family : MetricFamily.values()) {
      expected.addAll(family.sampleNames());
    }
    assertThat(exportedNames()).containsAll(expected);
    assertThat(exportedNames()).allMatch(name -> name.startsWith("kubeaccel_"));
  }

  @Test
  void dashboardsAreValidJsonWithTheirFiltersAndTimeRanges() throws IOException {
    Map<String, Set<String>> variables = Map.of(
        "kubeaccel-node.json", Set.of("datasource", "node", "model"),
        "kubeaccel-pods.json", Set.of("datasource", "model", "namespace", "pod"));
    Set<String> uids = new HashSet<>();
    for (Path file : dashboards()) {
      JsonNode dashboard = new ObjectMapper().readTree(Files.readString(file));
      assertThat(uids.add(dashboard.path("uid").asString()))
          .as("unique uid %s", file)
          .isTrue();
      Set<String> names = new HashSet<>();
      dashboard
          .path("templating")
          .path("list")
          .forEach(v -> names.add(v.path("name").asString()));
      assertThat(names)
          .as("variables of %s", file)
          .containsAll(variables.get(file.getFileName().toString()));
      List<String> ranges = new ArrayList<>();
      dashboard.path("timepicker").path("time_options").forEach(o -> ranges.add(o.asString()));
      assertThat(ranges).as("time ranges of %s", file).startsWith("30m").endsWith("7d");
      assertThat(dashboard.path("timepicker").path("refresh_intervals").size()).isPositive();
      assertThat(dashboard.path("panels").size()).isGreaterThan(4);
      for (JsonNode panel : dashboard.path("panels")) {
        assertThat(panel.path("gridPos").isObject())
            .as("gridPos of %s", panel.path("title"))
            .isTrue();
        for (JsonNode target : panel.path("targets")) {
          assertThat(target.path("expr").asString())
              .as("expr of %s", panel.path("title"))
              .isNotBlank();
        }
      }
    }
    assertThat(variables.keySet())
        .allMatch(name ->
            dashboards().stream().anyMatch(f -> f.getFileName().toString().equals(name)));
  }

  @Test
  void alertRulesAreValidYamlWithTheAlertsTheNodeNeeds() throws IOException {
    List<Map<String, Object>> rules = rules();
    Set<String> names = new HashSet<>();
    for (Map<String, Object> rule : rules) {
      String name = (String) rule.get("alert");
      assertThat(names.add(name)).as("unique alert %s", name).isTrue();
      assertThat((String) rule.get("expr")).as(name).isNotBlank();
      @SuppressWarnings("unchecked")
      Map<String, Object> labels = (Map<String, Object>) rule.get("labels");
      assertThat(labels.get("severity")).as(name).isIn("critical", "warning", "info");
      @SuppressWarnings("unchecked")
      Map<String, Object> annotations = (Map<String, Object>) rule.get("annotations");
      assertThat(annotations).as(name).containsKeys("summary", "description");
    }
    assertThat(names)
        .contains(
            "KubeaccelGpuUnhealthy",
            "KubeaccelGpuXidError",
            "KubeaccelGpuMemoryNearlyFull",
            "KubeaccelAllocatedGpuIdle");
  }

  @Test
  void everyMetricTheAssetsQueryIsOneTheAgentsExport() throws IOException {
    Set<String> queried = new TreeSet<>();
    for (String expression : expressions()) {
      Matcher metric = METRIC.matcher(expression);
      while (metric.find()) {
        queried.add(metric.group());
      }
    }
    assertThat(queried).isNotEmpty();
    assertThat(exportedNames()).containsAll(queried);
  }

  @Test
  void everyLabelTheAssetsUseIsOneTheMetricsCarry() throws IOException {
    Set<String> allLabels = new HashSet<>(SCRAPE_LABELS);
    allLabels.add("le");
    for (MetricFamily family : MetricFamily.values()) {
      allLabels.addAll(family.labels);
    }
    List<String> texts = new ArrayList<>(expressions());
    texts.addAll(templates());
    for (String text : texts) {
      Matcher selector = SELECTOR.matcher(text);
      while (selector.find()) {
        Set<String> carried = labelsOf(selector.group(1));
        Matcher matcher = MATCHER.matcher(selector.group(2));
        while (matcher.find()) {
          assertThat(carried).as("%s in %s", selector.group(1), text).contains(matcher.group(1));
        }
      }
      Matcher grouping = GROUPING.matcher(text);
      while (grouping.find()) {
        for (String label : grouping.group(1).split(",")) {
          if (!label.isBlank()) {
            assertThat(allLabels).as(text).contains(label.trim());
          }
        }
      }
      Matcher template = TEMPLATE_LABEL.matcher(text);
      while (template.find()) {
        if (!template.group(1).equals("value")) {
          assertThat(allLabels).as(text).contains(template.group(1));
        }
      }
    }
  }

  private static Set<String> labelsOf(String series) {
    for (MetricFamily family : MetricFamily.values()) {
      if (family.sampleNames().contains(series)) {
        Set<String> labels = new HashSet<>(family.labels);
        labels.addAll(SCRAPE_LABELS);
        if (series.endsWith("_bucket")) {
          labels.add("le");
        }
        return labels;
      }
    }
    throw new AssertionError("no family shows " + series);
  }

  private static List<Path> dashboards() {
    try (Stream<Path> files = Files.list(ASSETS.resolve("grafana"))) {
      return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new AssertionError("cannot list " + ASSETS.toAbsolutePath(), e);
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> rules() throws IOException {
    List<Map<String, Object>> rules = new ArrayList<>();
    try (Reader reader = Files.newBufferedReader(
        ASSETS.resolve("prometheus/kubeaccel-alerts.yaml"), StandardCharsets.UTF_8)) {
      Map<String, Object> file = new Yaml().load(reader);
      for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
        rules.addAll((List<Map<String, Object>>) group.get("rules"));
      }
    }
    assertThat(rules).isNotEmpty();
    return rules;
  }

  /** Every PromQL expression: panel targets, variable queries, rule expressions. */
  private static List<String> expressions() throws IOException {
    List<String> expressions = new ArrayList<>();
    for (Path file : dashboards()) {
      collect(new ObjectMapper().readTree(Files.readString(file)), expressions);
    }
    for (Map<String, Object> rule : rules()) {
      expressions.add((String) rule.get("expr"));
    }
    return expressions;
  }

  private static void collect(JsonNode node, List<String> out) {
    if (node.isObject()) {
      for (String field : List.of("expr", "definition", "query")) {
        if (node.path(field).isString()) {
          out.add(node.path(field).asString());
        }
      }
      node.forEach(child -> collect(child, out));
    } else if (node.isArray()) {
      node.forEach(child -> collect(child, out));
    }
  }

  /** Legends and annotations, which name labels in {@code {{...}}}. */
  private static List<String> templates() throws IOException {
    List<String> templates = new ArrayList<>();
    for (Path file : dashboards()) {
      JsonNode dashboard = new ObjectMapper().readTree(Files.readString(file));
      dashboard
          .path("panels")
          .forEach(panel -> panel
              .path("targets")
              .forEach(target -> templates.add(target.path("legendFormat").asString())));
    }
    for (Map<String, Object> rule : rules()) {
      @SuppressWarnings("unchecked")
      Map<String, Object> annotations = (Map<String, Object>) rule.get("annotations");
      annotations.values().forEach(value -> templates.add(String.valueOf(value)));
    }
    return templates;
  }
}
