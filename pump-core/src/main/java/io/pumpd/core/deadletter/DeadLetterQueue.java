package io.pumpd.core.deadletter;

import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.UptimeRecord;

/**
 * Keeps what could not be delivered, with the reason, so that nothing is silently lost: elements
 * that could not be decoded (with their raw bytes) and records a sink rejected permanently.
 *
 * <p>Thread-safe: called from the purge thread and from every pump's dispatcher thread. Methods
 * never throw; a failure to write the dead-letter file itself is logged and counted.
 */
public interface DeadLetterQueue extends AutoCloseable {

  /** An element from {@code sourceKey} that is not a valid record. */
  void undecodable(String sourceKey, byte[] raw, String reason);

  /** A record {@code pump} rejected permanently (or that could not be delivered in time). */
  void rejected(String pump, AnalyticsRecord record, String reason);

  /** An uptime record {@code pump} could not write. */
  void rejectedUptime(String pump, UptimeRecord record, String reason);

  /** Entries written since start. */
  long written();

  /** Flushes and closes the file; later calls are ignored (and logged). */
  @Override
  void close();
}
