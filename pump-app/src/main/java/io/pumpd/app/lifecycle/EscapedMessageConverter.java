package io.pumpd.app.lifecycle;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.pumpd.core.text.ControlCharacters;

/**
 * {@code %safeMsg}: the formatted message with CR, LF and the other control characters escaped
 * ({@link ControlCharacters}), so that nothing a message carries (a pump name, a record value, a
 * backend's error text) can start a line of its own and pass for another log event. The text
 * format uses it instead of {@code %msg}; a throwable printed by {@code %ex} keeps its lines.
 * Costs one scan of the message when there is nothing to escape. Stateless.
 */
public final class EscapedMessageConverter extends ClassicConverter {
  /** The conversion word, as registered in {@code logback.xml} and by {@link LoggingSetup}. */
  public static final String WORD = "safeMsg";

  @Override
  public String convert(ILoggingEvent event) {
    return ControlCharacters.escape(event.getFormattedMessage());
  }
}
