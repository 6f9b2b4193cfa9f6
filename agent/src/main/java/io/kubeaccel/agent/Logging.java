package io.kubeaccel.agent;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import org.slf4j.LoggerFactory;

/** Configures logging once, from the command line, before anything logs: readable text by default, or JSON. */
final class Logging {

  /** Output format of log lines. */
  enum Format {
    TEXT,
    JSON
  }

  private Logging() {}

  /**
   * Logback's configuration until the CLI applies its options: readable text at info on stderr. Found through
   * ServiceLoader, so logback never loads its XML configurator (hundreds of classes and an XML parser, a few MiB of
   * resident memory for a node agent).
   */
  public static final class Defaults extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
      apply(context, Format.TEXT, "info");
      return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
  }

  /**
   * Readable lines, {@code 2026-11-23T16:43:56.749Z INFO  [thread] Logger - message}, and a throwable's stack trace
   * below its line: what logback's pattern {@code %d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{0} -
   * %msg%n} writes, without the pattern machinery (about a hundred classes, 60 of them lambdas, in every agent).
   * Always UTF-8, where the pattern used the JVM's default charset (ASCII in the image, which has no locale).
   */
  static final class TextEncoder extends EncoderBase<ILoggingEvent> {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern(
            "yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
        .withZone(ZoneId.systemDefault());

    @Override
    public byte[] encode(ILoggingEvent event) {
      StringBuilder line = new StringBuilder(128);
      TIME.formatTo(Instant.ofEpochMilli(event.getTimeStamp()), line);
      String level = event.getLevel().toString();
      line.append(' ').append(level);
      for (int pad = level.length(); pad < 5; pad++) {
        line.append(' ');
      }
      String logger = event.getLoggerName();
      line.append(" [")
          .append(event.getThreadName())
          .append("] ")
          .append(logger, logger.lastIndexOf('.') + 1, logger.length())
          .append(" - ")
          .append(event.getFormattedMessage())
          .append(CoreConstants.LINE_SEPARATOR);
      if (event.getThrowableProxy() != null) {
        line.append(
            ThrowableProxyUtil.asString(event.getThrowableProxy())); // ends with a line separator
      }
      return line.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] headerBytes() {
      return null;
    }

    @Override
    public byte[] footerBytes() {
      return null;
    }
  }

  static void configure(Format format, String level) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    apply(context, format, level);
  }

  private static void apply(LoggerContext context, Format format, String level) {
    Encoder<ILoggingEvent> encoder;
    if (format == Format.JSON) {
      JsonEncoder json = new JsonEncoder();
      json.setWithSequenceNumber(false);
      json.setWithNanoseconds(false);
      json.setWithContext(false);
      json.setWithArguments(false);
      encoder = json;
    } else {
      encoder = new TextEncoder();
    }
    encoder.setContext(context);
    encoder.start();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("console");
    console.setTarget("System.err");
    console.setEncoder(encoder);
    console.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(level, Level.INFO));
    root.addAppender(console);
    // Transport chatter is not what an operator reads the agent's log for.
    context.getLogger("io.grpc").setLevel(Level.WARN);
    context.getLogger("io.netty").setLevel(Level.WARN);
    // fabric8 logs each informer retry with a stack trace while the API server is away; the agent
    // says it once.
    context.getLogger("io.fabric8.kubernetes.client.informers").setLevel(Level.ERROR);
  }
}
