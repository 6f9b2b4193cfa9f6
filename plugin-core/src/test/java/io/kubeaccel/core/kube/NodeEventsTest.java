package io.kubeaccel.core.kube;

import static io.kubeaccel.core.kube.KubeObjects.NODE;
import static io.kubeaccel.core.kube.KubeObjects.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubeaccel.core.kube.KubeAccess.PodScoping;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NodeEventsTest {

  private static final class MutableClock extends Clock {
    volatile Instant now = Instant.parse("2026-03-01T10:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final MutableClock clock = new MutableClock();
  private MockApiServer server;
  private KubernetesClient client;
  private KubeAccess access;

  @BeforeEach
  void start() {
    server = new MockApiServer();
    client = server.newClient();
    access = KubeAccess.using(
        client, KubeObjects.settings(Duration.ZERO), PodScoping.CLIENT_SIDE_ONLY, clock);
  }

  @AfterEach
  void stop() {
    server.close(); // first: see MockApiServer#close
    access.close();
    client.close();
  }

  private List<Event> events() throws Exception {
    access.events().flush().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    return client.v1().events().inNamespace("default").list().getItems().stream()
        .sorted(Comparator.comparing(e -> e.getMetadata().getName()))
        .toList();
  }

  @Test
  void recordsAnEventOnThisNode() throws Exception {
    access.nodeEvents().normal("MpsDaemonStarted", "MPS control daemon started pid=4242");

    Event event = events().get(0);
    assertThat(event.getType()).isEqualTo("Normal");
    assertThat(event.getReason()).isEqualTo("MpsDaemonStarted");
    assertThat(event.getMessage()).isEqualTo("MPS control daemon started pid=4242");
    assertThat(event.getCount()).isEqualTo(1);
    assertThat(event.getFirstTimestamp()).isEqualTo("2026-03-01T10:00:00Z");
    assertThat(event.getInvolvedObject().getKind()).isEqualTo("Node");
    assertThat(event.getInvolvedObject().getApiVersion()).isEqualTo("v1");
    assertThat(event.getInvolvedObject().getName()).isEqualTo(NODE);
    assertThat(event.getInvolvedObject().getUid()).isEqualTo(NODE);
    assertThat(event.getSource().getComponent()).isEqualTo("kubeaccel");
    assertThat(event.getSource().getHost()).isEqualTo(NODE);
  }

  @Test
  void repeatsWithinAMinuteAreCountedIntoOneEvent() throws Exception {
    for (int i = 0; i < 5; i++) {
      access.nodeEvents().warning("GpuUnhealthy", "GPU-1 XID 79");
      clock.now = clock.now.plusSeconds(10);
    }
    access.nodeEvents().warning("GpuUnhealthy", "GPU-2 XID 79");

    List<Event> events = events();
    assertThat(events).hasSize(2);
    Event repeated = events.stream()
        .filter(e -> e.getMessage().equals("GPU-1 XID 79"))
        .findFirst()
        .orElseThrow();
    assertThat(repeated.getType()).isEqualTo("Warning");
    assertThat(repeated.getCount()).isEqualTo(5);
    assertThat(repeated.getFirstTimestamp()).isEqualTo("2026-03-01T10:00:00Z");
    assertThat(repeated.getLastTimestamp()).isEqualTo("2026-03-01T10:00:40Z");
  }

  @Test
  void aRepeatAfterAQuietMinuteStartsANewEvent() throws Exception {
    access.nodeEvents().warning("GpuUnhealthy", "GPU-1 XID 79");
    clock.now = clock.now.plus(Duration.ofSeconds(61));
    access.nodeEvents().warning("GpuUnhealthy", "GPU-1 XID 79");

    assertThat(events()).hasSize(2).allSatisfy(e -> assertThat(e.getCount()).isEqualTo(1));
  }

  @Test
  void anEventTheApiServerRefusesIsDroppedQuietly() throws Exception {
    server.down();
    access.nodeEvents().warning("GpuUnhealthy", "lost");
    access.events().flush().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    server.up();

    access.nodeEvents().normal("GpuHealthy", "back");

    assertThat(events()).extracting(Event::getMessage).containsExactly("back");
  }

  @Test
  void aRepeatOfAnEventDeletedOnTheServerCreatesItAgain() throws Exception {
    access.nodeEvents().warning("GpuUnhealthy", "GPU-1 XID 79");
    events();
    client.v1().events().inNamespace("default").delete();

    access.nodeEvents().warning("GpuUnhealthy", "GPU-1 XID 79");

    assertThat(events()).hasSize(1).allSatisfy(e -> assertThat(e.getCount()).isEqualTo(1));
  }
}
