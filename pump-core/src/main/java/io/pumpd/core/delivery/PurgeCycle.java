package io.pumpd.core.delivery;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tyk's purge cycle, for the log: the reads that follow each other until one finds nothing. At the
 * end of a cycle that read something, one info line says what it did ({@code Purged 1200 records
 * (2 undecodable, dead-lettered) in 3 rounds, 85 ms}), when the source's reads remove what they
 * read ({@code at_most_once}: Tyk Pump's line); a durable source's progress is in the engine's
 * status line instead. Engine thread only.
 */
final class PurgeCycle {
  private static final Logger LOG = LoggerFactory.getLogger(PurgeCycle.class);

  private final boolean logged;
  private long read;
  private long undecodable;
  private int rounds;
  private long startNanos;

  /** @param logged whether ended cycles are logged */
  PurgeCycle(boolean logged) {
    this.logged = logged;
  }

  /** A read that found something. */
  void round() {
    if (rounds++ == 0) {
      startNanos = System.nanoTime();
    }
  }

  void read(int elements) {
    read += elements;
  }

  void undecodable(int elements) {
    undecodable += elements;
  }

  /** A read found nothing: the cycle, if any, ends (logged) and the next starts afresh. */
  void ended() {
    if (rounds > 0 && logged) {
      LOG.info("Purged {} records{} in {} rounds, {} ms", read - undecodable,
          undecodable > 0 ? " (" + undecodable + " undecodable, dead-lettered)" : "", rounds,
          (System.nanoTime() - startNanos) / 1_000_000);
    }
    rounds = 0;
    read = 0;
    undecodable = 0;
  }
}
