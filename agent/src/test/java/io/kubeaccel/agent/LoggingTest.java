package io.kubeaccel.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class LoggingTest {

  private final LoggerContext context = new LoggerContext();

  @Test
  void textLinesReadAsLogbacksPatternWroteThem() {
    LoggingEvent event =
        event(Level.INFO, "registered resource={} devices={}", null, "nvidia.com/gpu", 4);
    String expectedTime = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
        .withZone(ZoneId.systemDefault())
        .format(Instant.ofEpochMilli(1_795_000_000_123L));

    assertThat(encode(event))
        .isEqualTo(expectedTime
            + " INFO  [kubeaccel-kubelet-watch] DevicePluginHost - registered"
            + " resource=nvidia.com/gpu devices=4" + System.lineSeparator());
  }

  @Test
  void aThrowableFollowsItsLineWithItsCause() {
    IllegalStateException failure =
        new IllegalStateException("cannot serve", new java.io.IOException("disk full"));

    String text = encode(event(Level.ERROR, "giving up", failure));

    assertThat(text)
        .contains(" ERROR [kubeaccel-kubelet-watch] DevicePluginHost - giving up"
            + System.lineSeparator() + "java.lang.IllegalStateException: cannot serve")
        .contains("\tat io.kubeaccel.agent.LoggingTest")
        .contains("Caused by: java.io.IOException: disk full")
        .endsWith(System.lineSeparator());
  }

  private LoggingEvent event(Level level, String message, Throwable throwable, Object... args) {
    LoggingEvent event = new LoggingEvent(
        "ch.qos.logback.classic.Logger",
        context.getLogger("io.kubeaccel.core.server.DevicePluginHost"),
        level,
        message,
        throwable,
        args);
    event.setTimeStamp(1_795_000_000_123L);
    event.setThreadName("kubeaccel-kubelet-watch");
    return event;
  }

  private static String encode(LoggingEvent event) {
    return new String(new Logging.TextEncoder().encode(event), StandardCharsets.UTF_8);
  }
}
