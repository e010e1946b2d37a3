package io.pumpd.sinks.influx2;

import com.influxdb.exceptions.InfluxException;
import io.pumpd.core.concurrent.Causes;
import io.pumpd.core.retry.Retrier;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * A failed InfluxDB request: the HTTP status (0 when no response arrived: connection refused, timed
 * out, reset), the server's message, and the {@code Retry-After} it asked for. Built from the
 * client's {@link InfluxException}. Immutable.
 */
final class Influx2RequestException extends Exception implements Retrier.RetryAfter {
  private static final long serialVersionUID = 1L;

  /** Statuses worth another attempt: overload, unavailability, gateways, timeouts. */
  private static final Set<Integer> RETRIABLE = Set.of(0, 408, 429, 500, 502, 503, 504);

  private final int status;
  private final transient Duration retryAfter;

  Influx2RequestException(int status, String message, Duration retryAfter, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.retryAfter = retryAfter;
  }

  /** Wraps what the client threw; {@code action} says what was attempted ("write 500 points"). */
  static Influx2RequestException from(InfluxException e, String action) {
    int status = e.status();
    String detail = e.getMessage();
    if (status == 0) {
      detail = Causes.root(e).toString();
    }
    String message =
        "influx2 " + action + ": " + (status == 0 ? "no response (" + detail + ")" : detail);
    return new Influx2RequestException(
        status, message, parseRetryAfter(e.headers().get("Retry-After"), Instant.now()), e);
  }

  /** The HTTP status, or 0 when no response arrived. */
  int status() {
    return status;
  }

  /** True for statuses that may succeed later (and for no response at all). */
  boolean isRetriable() {
    return RETRIABLE.contains(status);
  }

  @Override
  public Duration retryAfter() {
    return retryAfter;
  }

  /**
   * {@code Retry-After} as delay-seconds or an HTTP-date, or {@code null} when absent or
   * unreadable.
   */
  static Duration parseRetryAfter(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String h = header.trim();
    try {
      long seconds = Long.parseLong(h);
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration d = Duration.between(now, at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException notDate) {
        return null;
      }
    }
  }
}
