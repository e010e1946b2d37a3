package io.pumpd.app.lifecycle;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code log_level} and {@code log_format} to Logback: level from {@code --debug}, else
 * env {@code TYK_LOGLEVEL}, else the config; format from env {@code TYK_LOGFORMAT}, else the config
 * ({@code text}, {@code json} or {@code legacy}, which is text here). Logs go to standard error so
 * that the {@code stdout} pump's output stays clean. Call from the main thread before the daemon
 * starts.
 */
public final class LoggingSetup {
  private static final String TEXT_PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} - %msg%n";

  private LoggingSetup() {}

  /** Sets the root level ({@code debug}, {@code info}, {@code warn}, {@code error}). */
  public static void level(String level) {
    root().setLevel(Level.toLevel(level.toUpperCase(Locale.ROOT), Level.INFO));
  }

  /** Switches the console encoder to JSON lines ({@code json}) or text (anything else). */
  public static void format(String format) {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    Encoder<ILoggingEvent> encoder;
    if ("json".equalsIgnoreCase(format)) {
      JsonEncoder json = new JsonEncoder();
      json.setWithSequenceNumber(false);
      json.setWithNanoseconds(false);
      json.setWithContext(false);
      encoder = json;
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setPattern(TEXT_PATTERN);
      encoder = text;
    }
    encoder.setContext(ctx);
    encoder.start();
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(ctx);
    appender.setName("STDERR");
    appender.setTarget("System.err");
    appender.setEncoder(encoder);
    appender.start();
    Logger root = root();
    root.detachAndStopAllAppenders();
    root.addAppender(appender);
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }
}
