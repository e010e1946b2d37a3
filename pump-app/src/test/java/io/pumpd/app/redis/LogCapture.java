package io.pumpd.app.redis;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Captures the log events of a logger (and its children) with a logback {@link ListAppender}.
 * Loading this class also lowers the noise of the test JVM: root at INFO, Netty and Lettuce at
 * WARN (logback's default without a config file is DEBUG).
 */
final class LogCapture implements AutoCloseable {
  static {
    quiet();
  }

  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private LogCapture(String name) {
    this.logger = (Logger) LoggerFactory.getLogger(name);
    appender.setContext(logger.getLoggerContext());
    appender.start();
    logger.addAppender(appender);
  }

  /** Root at INFO, Netty and Lettuce at WARN. Idempotent. */
  static void quiet() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.INFO);
    ((Logger) LoggerFactory.getLogger("io.netty")).setLevel(Level.WARN);
    ((Logger) LoggerFactory.getLogger("io.lettuce")).setLevel(Level.WARN);
  }

  /** Starts capturing everything {@code io.pumpd.app.redis} logs. */
  static LogCapture redisPackage() {
    return new LogCapture("io.pumpd.app.redis");
  }

  /** Events at {@code level} whose formatted message contains {@code text}. */
  List<String> messages(Level level, String text) {
    synchronized (appender.list) {
      return appender.list.stream()
          .filter(e -> e.getLevel() == level)
          .map(ILoggingEvent::getFormattedMessage)
          .filter(m -> m.contains(text))
          .collect(Collectors.toList());
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
