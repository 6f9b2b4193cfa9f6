package io.kubeaccel.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
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
        new IllegalStateException("cannot serve", new IOException("disk full"));

    String text = encode(event(Level.ERROR, "giving up", failure));

    assertThat(text)
        .contains(" ERROR [kubeaccel-kubelet-watch] DevicePluginHost - giving up"
            + System.lineSeparator() + "java.lang.IllegalStateException: cannot serve")
        .contains("\tat io.kubeaccel.agent.LoggingTest")
        .contains("Caused by: java.io.IOException: disk full")
        .doesNotContain(System.lineSeparator() + System.lineSeparator());
  }

  /** Byte for byte what logback's PatternLayoutEncoder wrote with the pattern this encoder replaces. */
  @Test
  void sameBytesAsThePatternItReplaces() {
    PatternLayoutEncoder pattern = new PatternLayoutEncoder();
    pattern.setContext(context);
    pattern.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{0} - %msg%n");
    pattern.start();
    IllegalStateException suppressing = new IllegalStateException("outer", new RuntimeException());
    suppressing.addSuppressed(new UncheckedIOException(new IOException("closing")));
    List<LoggingEvent> events = List.of(
        event(Level.WARN, "a {} and {}", null, "b"),
        event(Level.DEBUG, "two\nlines", null),
        event(Level.ERROR, "failed", suppressing),
        event(Level.ERROR, "last argument {}", null, "x", new NullPointerException()));

    for (LoggingEvent event : events) {
      assertThat(encode(event))
          .isEqualTo(new String(pattern.encode(event), StandardCharsets.UTF_8));
    }
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
