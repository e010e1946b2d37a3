package io.pumpd.app.lifecycle;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.util.Locale;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Applies {@code log_level} and {@code log_format} to Logback: level from {@code --debug}, else
 * env {@code TYK_LOGLEVEL}, else the config; format from env {@code TYK_LOGFORMAT}, else the config
 * ({@code text}, {@code json} or {@code legacy}, which is text here). Logs go to standard error so
 * that the {@code stdout} pump's output stays clean. Call from the main thread before the daemon
 * starts.
 *
 * <p>Every log event is one line: the text format escapes control characters in the message
 * ({@link EscapedMessageConverter}), the JSON format escapes them as JSON strings do. Libraries
 * that log through {@code java.util.logging} (the InfluxDB client) are routed into the same
 * pipeline by {@link #routeJavaUtilLogging()}, so they follow {@code log_level} and {@code
 * log_format} too.
 */
public final class LoggingSetup {
  /** The text format; also the default pattern of {@code logback.xml}. */
  static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} - %"
      + EscapedMessageConverter.WORD + "%n";

  private LoggingSetup() {}

  /**
   * Sends {@code java.util.logging} records to SLF4J (hence Logback's level, format and standard
   * error) instead of JUL's own console handler. Logback's {@link LevelChangePropagator} keeps the
   * JUL loggers' levels equal to Logback's, so a JUL record below the level is dropped by JUL
   * itself, before any formatting. Idempotent; call once, first thing in {@code main}.
   */
  public static synchronized void routeJavaUtilLogging() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    if (ctx.getCopyOfListenerList().stream().noneMatch(l -> l instanceof LevelChangePropagator)) {
      LevelChangePropagator propagator = new LevelChangePropagator();
      propagator.setContext(ctx);
      propagator.setResetJUL(true);
      propagator.start();
      ctx.addListener(propagator);
    }
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
  }

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
      PatternLayout layout = new PatternLayout();
      layout.getInstanceConverterMap().put(EscapedMessageConverter.WORD, EscapedMessageConverter::new);
      layout.setPattern(TEXT_PATTERN);
      layout.setContext(ctx);
      layout.start();
      LayoutWrappingEncoder<ILoggingEvent> text = new LayoutWrappingEncoder<>();
      text.setLayout(layout);
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
