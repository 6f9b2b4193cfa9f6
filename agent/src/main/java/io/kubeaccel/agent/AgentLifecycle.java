package io.kubeaccel.agent;

import io.kubeaccel.core.AgentRuntime;
import io.kubeaccel.core.AgentSettings;
import io.kubeaccel.core.PluginFactory;
import io.kubeaccel.core.metrics.MetricsSettings;
import io.kubeaccel.core.metrics.MetricsSources;
import io.kubeaccel.core.metrics.NodeMetrics;
import io.kubeaccel.nvml.NvmlException;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * How every node agent runs: start the runtime, stop it (and whatever else it uses) on SIGTERM, exit 1 when it gives
 * up or cannot start.
 */
final class AgentLifecycle {

  private AgentLifecycle() {}

  /**
   * Runs until SIGTERM (the JVM then exits through the shutdown hook) or until the agent gives up.
   *
   * @param metricsSettings where {@code /metrics} is served (it listens before the agent registers; a port that
   *     cannot be bound is logged and the agent serves the kubelet without metrics)
   * @param metricsSources what the mode knows about its containers, for the per-container metrics
   * @param services the cluster side every agent runs (mode-switch guard, node labels, Events); closed last
   * @param started told the running runtime, to start what depends on it (e.g. capacity publishing)
   * @param alsoClose closed after the runtime on shutdown, in order
   * @return the exit code when the agent gave up or could not start
   */
  static int run(
      Logger log,
      String mode,
      AgentSettings settings,
      MetricsSettings metricsSettings,
      MetricsSources metricsSources,
      NodeServices services,
      PluginFactory plugins,
      Consumer<AgentRuntime> started,
      List<AutoCloseable> alsoClose) {
    NodeMetrics metrics =
        NodeMetrics.create(metricsSettings, mode, Version.current(), metricsSources);
    try {
      metrics.listen();
    } catch (IOException e) {
      log.error("{}; serving the kubelet without metrics", e.getMessage());
    }
    List<AutoCloseable> closing = new ArrayList<>();
    closing.add(metrics); // first: it reads what the others provide
    closing.addAll(alsoClose);
    closing.add(services); // last: the mode's parts above may still use its Kubernetes access
    AgentRuntime runtime;
    try {
      runtime = AgentRuntime.start(
          settings,
          plugins,
          metrics.allocationObserver(),
          services::beforeServing,
          Clock.systemUTC());
    } catch (NvmlException e) {
      log.error("NVML failed to start and fail-on-init-error is set, exiting: {}", e.getMessage());
      closeAll(log, closing);
      return 1;
    } catch (IOException e) {
      log.error("cannot serve the kubelet: {}", e.toString());
      closeAll(log, closing);
      return 1;
    }
    // Before anything else starts: a SIGTERM from here on removes the sockets (NodeServices closes
    // what it is still
    // starting).
    Runtime.getRuntime()
        .addShutdownHook(new Thread(
            () -> {
              runtime.close();
              closeAll(log, closing);
            },
            "kubeaccel-shutdown"));
    metrics.watch(runtime.inventory(), runtime.xids());
    services.started(runtime);
    started.accept(runtime);
    log.info("{} agent running version={}", mode, Version.current());
    String reason = runtime.gaveUp().join();
    log.error("exiting: {}", reason);
    runtime.close();
    closeAll(log, closing);
    return 1;
  }

  private static void closeAll(Logger log, List<AutoCloseable> resources) {
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        log.debug("close failed resource={}", resource, e);
      }
    }
  }
}
