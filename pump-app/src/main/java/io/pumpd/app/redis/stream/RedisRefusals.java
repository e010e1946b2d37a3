package io.pumpd.app.redis.stream;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commands Redis answers with an error rather than not at all (Redis is reachable but refuses:
 * {@code OOM command not allowed when used memory > 'maxmemory'}, {@code READONLY}, {@code
 * NOPERM}, ...), per activity ("move records from the gateway lists") and subject (the key): one
 * ERROR when an activity starts being refused or its error changes, one INFO when it is accepted
 * again for every subject (never a line per retry), and a readiness reason while it lasts, so that
 * a Redis that accepts connections but no writes does not look like a healthy, idle pipeline.
 *
 * <p>Thread-safe.
 */
final class RedisRefusals {
  private static final Logger LOG = LoggerFactory.getLogger(RedisRefusals.class);

  /** One activity refused: its latest error, since when, and the subjects refused right now. */
  private static final class Refusal {
    volatile String message;
    volatile String example;
    final long sinceNanos = System.nanoTime();
    final Set<String> subjects = ConcurrentHashMap.newKeySet();
  }

  private final Map<String, Refusal> current = new ConcurrentHashMap<>();

  /** Redis refused {@code activity} on {@code subject} (a key) with {@code message}. */
  void refused(String activity, String subject, String message) {
    Refusal r = current.computeIfAbsent(activity, a -> new Refusal());
    boolean fresh;
    synchronized (r) {
      fresh = !message.equals(r.message);
      r.message = message;
      r.example = subject;
      r.subjects.add(subject);
    }
    if (fresh) {
      LOG.error("Redis refuses to {} ({}): {} (logged again when it changes or ends; the records "
          + "stay where they are meanwhile)", activity, subject, message);
    }
  }

  /** {@code activity} succeeded on {@code subject}: once it does for every subject, it is over. */
  void accepted(String activity, String subject) {
    Refusal r = current.get(activity);
    if (r == null) {
      return;
    }
    synchronized (r) {
      r.subjects.remove(subject);
      if (!r.subjects.isEmpty() || !current.remove(activity, r)) {
        return;
      }
    }
    LOG.info("Redis accepts to {} again after {} s", activity,
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - r.sinceNanos));
  }

  /** One reason per activity refused: {@code "redis refuses to <activity> (<key>...): <error>"}. */
  List<String> reasons() {
    return current.entrySet().stream()
        .map(e -> "redis refuses to " + e.getKey() + " (" + e.getValue().example
            + (e.getValue().subjects.size() > 1
                ? " and " + (e.getValue().subjects.size() - 1) + " more" : "")
            + "): " + e.getValue().message)
        .sorted()
        .toList();
  }
}
