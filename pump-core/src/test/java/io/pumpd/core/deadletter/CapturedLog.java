package io.pumpd.core.deadletter;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** Captures what one logback logger emits, for assertions; {@link #close()} detaches it. */
public final class CapturedLog implements AutoCloseable {
  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  public CapturedLog(Class<?> loggerOf) {
    this(loggerOf.getName());
  }

  /** Captures the logger named {@code name} (a class's logger not visible from the test). */
  public CapturedLog(String name) {
    logger = (Logger) LoggerFactory.getLogger(name);
    appender.start();
    logger.addAppender(appender);
  }

  /** The logger, to hand to the class under test. */
  public org.slf4j.Logger logger() {
    return logger;
  }

  /** Formatted messages at {@code level}, in order. */
  public synchronized List<String> messages(Level level) {
    synchronized (appender.list) {
      return appender.list.stream()
          .filter(e -> e.getLevel() == level)
          .map(ILoggingEvent::getFormattedMessage)
          .collect(Collectors.toList());
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
