package io.pumpd.sinks.elasticsearch;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pump's readiness, from the outcome of the last request to Elasticsearch (bulk, template or
 * the periodic health probe): ready after any answer, not ready with the reason after a request
 * that got no answer. Logs each change once. Thread-safe, non-blocking.
 */
final class Reachability {
  private static final Logger LOG = LoggerFactory.getLogger(Reachability.class);

  private final String pumpName;
  private final String initialReason;
  private volatile String notReady;

  Reachability(String pumpName, String initialReason) {
    this.pumpName = pumpName;
    this.initialReason = initialReason;
    this.notReady = initialReason;
  }

  /** Elasticsearch answered. */
  void reachable() {
    if (notReady != null) {
      notReady = null;
      LOG.info("elasticsearch pump {}: Elasticsearch is reachable", pumpName);
    }
  }

  /** A request got no (usable) answer. */
  void unreachable(String reason) {
    String before = notReady;
    notReady = reason;
    if (before == null || before.equals(initialReason)) {
      LOG.warn("elasticsearch pump {}: {}", pumpName, reason);
    }
  }

  Optional<String> readiness() {
    return Optional.ofNullable(notReady);
  }

  boolean isReady() {
    return notReady == null;
  }
}
