package io.pumpd.core.deadletter;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Logs at most one WARN (or ERROR) line per kind per interval, so that a flood of bad input (a gateway
 * writing garbage, a sink rejecting every record) cannot flood the log. The next line that gets
 * through says how many were held back: {@code "... (41 more suppressed)"}. Counting every
 * occurrence is the caller's job (a metric); this class only limits the log.
 *
 * <p>Lines held back at the end of a burst are only reported when the next line of that kind gets
 * through. Kinds are caller-chosen strings with bounded cardinality (e.g. {@code "undecodable:"
 * + redisKey}).
 *
 * <p>Thread-safe.
 */
public final class RateLimitedLogger {
  private final Logger log;
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final ConcurrentMap<String, Window> windows = new ConcurrentHashMap<>();

  /** At most one line per kind per {@code interval}, timed by {@link System#nanoTime()}. */
  public RateLimitedLogger(Logger log, Duration interval) {
    this(log, interval, System::nanoTime);
  }

  /** As above with an injectable monotonic clock (nanoseconds), for tests. */
  public RateLimitedLogger(Logger log, Duration interval, LongSupplier nanoTime) {
    this.log = Objects.requireNonNull(log, "log");
    if (interval.isNegative()) {
      throw new IllegalArgumentException("interval must not be negative: " + interval);
    }
    this.intervalNanos = interval.toNanos();
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  /**
   * Logs {@code format} (SLF4J {@code {}} placeholders) at WARN unless a line of {@code kind} was
   * logged less than an interval ago, in which case it is only counted. Arguments are not
   * formatted when the line is held back. A trailing {@link Throwable} argument is not treated as
   * an exception; pass its message instead.
   *
   * @return true when the line was logged
   */
  public boolean warn(String kind, String format, Object... args) {
    return log(false, kind, format, args);
  }

  /** As {@link #warn}, at ERROR: for what loses or endangers data. */
  public boolean error(String kind, String format, Object... args) {
    return log(true, kind, format, args);
  }

  private boolean log(boolean error, String kind, String format, Object... args) {
    if (error ? !log.isErrorEnabled() : !log.isWarnEnabled()) {
      return false;
    }
    long suppressed = windows.computeIfAbsent(kind, k -> new Window()).admit(nanoTime.getAsLong());
    if (suppressed < 0) {
      return false;
    }
    String f = format;
    Object[] a = args;
    if (suppressed > 0) {
      a = Arrays.copyOf(args, args.length + 1);
      a[args.length] = suppressed;
      f = format + " ({} more suppressed)";
    }
    if (error) {
      log.error(f, a);
    } else {
      log.warn(f, a);
    }
    return true;
  }

  /** One kind's window: when the next line may pass, and how many were held back since. */
  private final class Window {
    private boolean started;
    private long nextAllowed;
    private long suppressed;

    /** The number held back before this line when it may be logged, else -1 (and counts it). */
    synchronized long admit(long now) {
      if (started && now - nextAllowed < 0) {
        suppressed++;
        return -1;
      }
      started = true;
      nextAllowed = now + intervalNanos;
      long held = suppressed;
      suppressed = 0;
      return held;
    }
  }
}
