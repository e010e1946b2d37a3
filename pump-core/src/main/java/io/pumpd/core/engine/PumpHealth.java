package io.pumpd.core.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a pump's writes are failing right now, so that a failing sink is never invisible (even
 * with no {@code timeout}, when the core retries for as long as it takes): one WARN when failures
 * start and a reminder every {@value #REMINDER_SECONDS} s while they last (with the count), one
 * INFO when the pump delivers again; {@link #failing()} for readiness; metrics {@code
 * pump.write.errors} (every failed attempt) and {@code pump.failing} (1 while failing).
 *
 * <p>Thread-safe: failures are reported from the pump's thread, successes from whichever thread
 * completes a delivery, {@link #failing()} read from any thread.
 */
final class PumpHealth {
  private static final Logger LOG = LoggerFactory.getLogger(PumpHealth.class);
  static final int REMINDER_SECONDS = 60;

  private final String pump;
  private final Counter errors;
  private final AtomicLong failingGauge = new AtomicLong();
  private String reason; // guarded by this
  private long sinceNanos; // guarded by this
  private long nextReminderNanos; // guarded by this
  private long failuresSinceReminder; // guarded by this

  PumpHealth(String pump, Tags tags, MeterRegistry registry) {
    this.pump = pump;
    this.errors = registry.counter("pump.write.errors", tags);
    registry.gauge("pump.failing", tags, failingGauge);
  }

  /** A write attempt failed with {@code why}; it will be tried again (or was given up). */
  void failed(String why) {
    errors.increment();
    long now = System.nanoTime();
    synchronized (this) {
      failuresSinceReminder++;
      if (reason == null) {
        sinceNanos = now;
        nextReminderNanos = now + TimeUnit.SECONDS.toNanos(REMINDER_SECONDS);
        failuresSinceReminder = 0;
        LOG.warn("Pump {} cannot take records: {}; retrying with backoff", pump, why);
      } else if (now - nextReminderNanos >= 0) {
        LOG.warn("Pump {} still failing after {} s ({} more failed attempts): {}", pump,
            TimeUnit.NANOSECONDS.toSeconds(now - sinceNanos), failuresSinceReminder, why);
        nextReminderNanos = now + TimeUnit.SECONDS.toNanos(REMINDER_SECONDS);
        failuresSinceReminder = 0;
      }
      reason = why;
    }
    failingGauge.set(1);
  }

  /** A write went through: the failure, if any, is over. */
  void succeeded() {
    synchronized (this) {
      if (reason == null) {
        return;
      }
      LOG.info("Pump {} takes records again after {} s", pump,
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - sinceNanos));
      reason = null;
    }
    failingGauge.set(0);
  }

  /** {@code "failing for 12 s: <reason>"} while failing; empty otherwise. */
  synchronized Optional<String> failing() {
    if (reason == null) {
      return Optional.empty();
    }
    return Optional.of("failing for "
        + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - sinceNanos) + " s: " + reason);
  }
}
