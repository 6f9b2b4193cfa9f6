package io.kubeaccel.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.core.metrics.MetricsSettings;
import io.kubeaccel.pgpu.GpuResourcePlugin;
import io.kubeaccel.testkit.Await;
import io.kubeaccel.testkit.KubeletStandIn;
import io.kubeaccel.testkit.PodRef;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --metrics-address} and {@code --metrics-interval}, and {@code /metrics} of a real agent process. */
class AgentMetricsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Pattern SERVED = Pattern.compile("metrics served address=\\S+:(\\d+) ");

  @TempDir
  Path logs;

  private static NodeOptions parse(String... args) {
    PgpuCommand command = new PgpuCommand();
    new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
    return command.node;
  }

  private static String get(HttpClient http, int port) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
            .timeout(WAIT)
            .build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  @Test
  void everyAgentOptionListsTheMetricsOptionsWithTheirVariables() {
    Cli.Result result = Cli.run("pgpu", "--help");
    assertThat(result.out())
        .contains("--metrics-address", "METRICS_ADDRESS", ":9400")
        .contains("--metrics-interval", "METRICS_INTERVAL", "10s");
  }

  @Test
  void metricsAreServedOnPort9400EveryTenSecondsUnlessTurnedOff() {
    MetricsSettings defaults = parse().metrics();
    assertThat(defaults.address()).contains(new InetSocketAddress(9400));
    assertThat(defaults.sampleInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.procRoot()).isEqualTo(Path.of("/proc"));

    MetricsSettings off = parse("--metrics-address", "off").metrics();
    assertThat(off.enabled()).isFalse();
    MetricsSettings local =
        parse("--metrics-address", "127.0.0.1:9500", "--metrics-interval", "2s").metrics();
    assertThat(local.address()).contains(new InetSocketAddress("127.0.0.1", 9500));
    assertThat(local.sampleInterval()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void aMalformedAddressOrIntervalIsAUsageErrorNamingIt() {
    Cli.Result address = Cli.run("pgpu", "--metrics-address", "9400");
    assertThat(address.exitCode()).isEqualTo(2);
    assertThat(address.err()).contains("metrics address must be [HOST]:PORT", "\"9400\"");

    Cli.Result interval = Cli.run("pgpu", "--metrics-interval", "10");
    assertThat(interval.exitCode()).isEqualTo(2);
    assertThat(interval.err()).contains("metrics interval must be", "\"10\"");
  }

  @Test
  void aRunningAgentServesItsCardsAndAllocationsOnMetrics() throws Exception {
    Path log = logs.resolve("agent.log");
    try (SimulatedNode node = SimulatedNode.create(NodePreset.FOUR_GPU);
        KubeletStandIn kubelet = KubeletStandIn.start(node.deviceDir())) {
      List<String> arguments = new ArrayList<>(node.agentArguments());
      arguments.add(node.devicePluginDirArgument());
      arguments.addAll(List.of("--metrics-address", "127.0.0.1:0", "--metrics-interval", "500ms"));
      Process agent = Cli.spawnPgpu(arguments, log);
      try {
        kubelet.awaitRegistration(GpuResourcePlugin.GPU, WAIT);
        // The endpoint listens before the agent registers, and says where.
        Matcher served = SERVED.matcher(Files.readString(log, StandardCharsets.UTF_8));
        assertThat(served.find()).as("log names the metrics address").isTrue();
        int port = Integer.parseInt(served.group(1));
        HttpClient http = HttpClient.newHttpClient();

        kubelet.admit(new PodRef("uid-1", "ml", "trainer"), "main", GpuResourcePlugin.GPU, 1);
        Await.until("the cards' temperatures are sampled", WAIT, () -> {
          try {
            return get(http, port).contains("kubeaccel_gpu_temperature_celsius{");
          } catch (IOException | InterruptedException e) {
            return false;
          }
        });
        String body = get(http, port);

        assertThat(body.lines().filter(l -> l.startsWith("kubeaccel_gpu_healthy{")))
            .hasSize(4)
            .allMatch(l -> l.contains("mode=\"pgpu\"") && l.endsWith(" 1.0"));
        assertThat(body)
            .contains("kubeaccel_allocations_total{resource=\"nvidia.com/gpu\"} 1.0")
            .contains("kubeaccel_build_info{mode=\"pgpu\"")
            .contains("kubeaccel_agent_up 1.0")
            .contains("kubeaccel_nvml_up 1.0");
      } finally {
        agent.destroy();
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
    }
  }

  @Test
  void withMetricsOffTheAgentServesTheKubeletAlone() throws Exception {
    Path log = logs.resolve("agent.log");
    try (SimulatedNode node = SimulatedNode.create(NodePreset.FOUR_GPU);
        KubeletStandIn kubelet = KubeletStandIn.start(node.deviceDir())) {
      List<String> arguments = new ArrayList<>(node.agentArguments());
      arguments.add(node.devicePluginDirArgument());
      arguments.addAll(List.of("--metrics-address", "off"));
      Process agent = Cli.spawnPgpu(arguments, log);
      try {
        kubelet.awaitRegistration(GpuResourcePlugin.GPU, WAIT);
        assertThat(Files.readString(log, StandardCharsets.UTF_8))
            .contains("metrics off")
            .doesNotContain("metrics served");
      } finally {
        agent.destroy();
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
    }
  }
}
