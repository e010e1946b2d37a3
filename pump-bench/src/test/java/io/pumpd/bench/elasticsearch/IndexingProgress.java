package io.pumpd.bench.elasticsearch;

import io.pumpd.sinks.elasticsearch.testing.EmbeddedElasticsearch;
import java.time.Duration;

/**
 * Watches an index fill up through {@code _stats/indexing} (no refresh needed), the same way for
 * the daemon and the bare loader: the rate is measured from the first poll that sees documents to
 * the first poll that sees all of them, so start-up (JVM, first Redis pop) is left out of both.
 */
final class IndexingProgress {
  private static final long POLL_MILLIS = 10;

  /** Documents indexed between two instants. */
  record Window(long firstCount, long firstNanos, long lastCount, long lastNanos) {
    double docsPerSecond() {
      return (lastCount - firstCount) / ((lastNanos - firstNanos) / 1e9);
    }

    Duration duration() {
      return Duration.ofNanos(lastNanos - firstNanos);
    }
  }

  private IndexingProgress() {}

  /**
   * Polls until {@code expected} documents are indexed in {@code index}, or fails after {@code
   * timeout}; the window opens at the first poll that sees more than {@code from}.
   */
  static Window await(EmbeddedElasticsearch es, String index, long from, long expected, Duration timeout)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    long firstCount = -1;
    long firstNanos = 0;
    while (System.nanoTime() < end) {
      long n = es.indexedTotal(index);
      long now = System.nanoTime();
      if (n > from && firstCount < 0) {
        firstCount = n;
        firstNanos = now;
      }
      if (n >= expected) {
        return new Window(firstCount, firstNanos, n, now);
      }
      Thread.sleep(POLL_MILLIS);
    }
    throw new IllegalStateException("only " + es.indexedTotal(index) + " of " + expected + " documents indexed in "
        + index + " after " + timeout);
  }
}
