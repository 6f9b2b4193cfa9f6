package io.kubeaccel.extender;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;

/**
 * The kube-scheduler extender for the share families ({@code tencent.com/vcuda-core}, {@code nvidia.com/mps-core}):
 * informers on Nodes and Pods, card-level fit with the agents' own model, and an HTTP(S) server for the scheduler's
 * {@code predicates}, {@code priorities} and {@code bind} verbs. See {@link ExtenderSettings} for the options.
 *
 * <p>Answers filter requests with an {@code Error} until both informers have synced. The client stays the caller's:
 * {@link #close()} stops the server and the informers only.
 */
public final class SchedulerExtender implements AutoCloseable {

  private final ClusterInformers informers;
  private final HttpFront front;
  private final ClusterState state;

  private SchedulerExtender(ClusterInformers informers, HttpFront front, ClusterState state) {
    this.informers = informers;
    this.front = front;
    this.state = state;
  }

  /**
   * Starts the informers and the server; returns once the server listens (the informers sync in the background).
   *
   * @throws IOException when the address cannot be bound
   * @throws IllegalArgumentException when the TLS files are unusable
   */
  public static SchedulerExtender start(KubernetesClient client, ExtenderSettings settings)
      throws IOException {
    return start(client, settings, Clock.systemUTC());
  }

  static SchedulerExtender start(KubernetesClient client, ExtenderSettings settings, Clock clock)
      throws IOException {
    ClusterState state = new ClusterState(clock, settings.assignmentTtl());
    ClusterInformers informers = ClusterInformers.start(client, state);
    ExtenderMetrics metrics = new ExtenderMetrics();
    metrics.gauges(
        state::reservationCount,
        state::nodesWithCards,
        state::claimCount,
        () -> informers.hasSynced() ? 1 : 0);
    Extender extender =
        new Extender(state, new KubePodApi(client), settings, metrics, informers::hasSynced);
    try {
      HttpFront front = HttpFront.start(
          settings,
          extender,
          new WireFormat(client.getKubernetesSerialization()),
          metrics,
          informers::hasSynced);
      return new SchedulerExtender(informers, front, state);
    } catch (IOException | RuntimeException e) {
      informers.close();
      throw e;
    }
  }

  /** The port served (useful with port 0). */
  public int port() {
    return front.port();
  }

  /** Waits until the node and pod informers have listed everything once. */
  public boolean awaitSynced(Duration timeout) {
    return informers.awaitSynced(timeout);
  }

  /** Grants made and not yet seen back from the API server. */
  int reservations() {
    return state.reservationCount();
  }

  ClusterState state() {
    return state;
  }

  @Override
  public void close() {
    front.close();
    informers.close();
  }
}
