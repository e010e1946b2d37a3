package io.pumpd.app.chaos;

import io.pumpd.app.redis.AnalyticsKeys;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits until sinks have received every record the gateway pushed (or a custom condition holds);
 * on timeout fails with what is missing where, and what Redis still holds, instead of a bare
 * timeout.
 */
final class Delivered {
  private Delivered() {}

  /** Waits until the gateway is done and every sink has all its records. */
  static void await(Gateway gateway, Duration timeout, SinkLedger... sinks) {
    await(gateway, timeout, () -> {
      if (!gateway.done()) {
        return false;
      }
      for (SinkLedger s : sinks) {
        if (s.refresh().distinct(gateway.total()) < gateway.total()) {
          return false;
        }
      }
      return true;
    }, sinks);
  }

  /** Waits until {@code condition} holds, polling every half second. */
  static void await(Gateway gateway, Duration timeout, BooleanSupplier condition,
      SinkLedger... sinks) {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return;
      }
      LockSupport.parkNanos(gateway.total() > 200_000 ? 2_000_000_000L : 500_000_000L); // polling
    }
    if (condition.getAsBoolean()) {
      return;
    }
    StringBuilder b = new StringBuilder("not delivered within ").append(timeout)
        .append(": pushed ").append(gateway.pushed()).append('/').append(gateway.total());
    for (SinkLedger s : sinks) {
      BitSet missing = s.refresh().missing(gateway.pushed());
      b.append("\n  ").append(s.name()).append(": received ").append(s.received())
          .append(", missing ").append(missing.cardinality()).append(", first missing ")
          .append(missing.stream().limit(10).boxed().toList());
    }
    try {
      b.append("\n  redis: lists ").append(gateway.listBacklog());
      for (String list : AnalyticsKeys.withPrefix("analytics-").analytics()) {
        String stream = "{" + list + "}:pumpd";
        if (gateway.redis().exists(stream) > 0) {
          b.append("\n    ").append(stream).append(" xlen ").append(gateway.redis().xlen(stream))
              .append(" groups ").append(gateway.redis().xinfoGroups(stream));
        }
      }
    } catch (RuntimeException e) {
      b.append("\n  (redis: ").append(e).append(')');
    }
    throw new AssertionError(b.toString());
  }

  static List<SinkLedger> list(SinkLedger... sinks) {
    return List.of(sinks);
  }
}
