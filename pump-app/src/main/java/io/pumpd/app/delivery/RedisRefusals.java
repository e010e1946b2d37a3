package io.pumpd.app.delivery;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commands Redis answers with an error rather than not at all (Redis is reachable but refuses:
 * {@code OOM command not allowed when used memory > 'maxmemory'}, {@code READONLY}, {@code
 * NOPERM}, ...), per activity ("move records from analytics-tyk-system-analytics", "create
 * consumer group es on ..."): logged once when a refusal starts or changes and once when it ends
 * (never once per retry), and reported to readiness while it lasts, so that a Redis that accepts
 * connections but no writes does not look like a healthy, idle pipeline.
 *
 * <p>Thread-safe.
 */
final class RedisRefusals {
  private static final Logger LOG = LoggerFactory.getLogger(RedisRefusals.class);

  private record Refusal(String message, long sinceNanos) {}

  private final Map<String, Refusal> current = new ConcurrentHashMap<>();

  /** Redis refused {@code activity} with {@code message}. */
  void refused(String activity, String message) {
    Refusal before = current.get(activity);
    if (before == null || !before.message().equals(message)) {
      current.put(activity, new Refusal(message,
          before == null ? System.nanoTime() : before.sinceNanos()));
      LOG.error("Redis refuses to {}: {} (logged again when it changes or ends; records stay "
          + "where they are meanwhile)", activity, message);
    }
  }

  /** {@code activity} succeeded: a refusal of it, if any, is over. */
  void accepted(String activity) {
    Refusal r = current.remove(activity);
    if (r != null) {
      LOG.info("Redis accepts to {} again after {} s", activity,
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - r.sinceNanos()));
    }
  }

  /** One reason per refusal going on: {@code "redis refuses to <activity>: <message>"}. */
  List<String> reasons() {
    return current.entrySet().stream()
        .map(e -> "redis refuses to " + e.getKey() + ": " + e.getValue().message())
        .sorted()
        .toList();
  }
}
