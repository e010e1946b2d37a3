package io.pumpd.core.deadletter;

import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.UptimeRecord;
import java.util.List;
import java.util.Optional;

/**
 * Keeps what could not be delivered, with the reason, so that nothing is silently lost: elements
 * that could not be decoded (with their raw bytes) and records a sink rejected permanently.
 *
 * <p><b>Durability.</b> {@link #write} returns only once every entry it was given is durably
 * stored (on disk, synced), and throws {@link DeadLetterException} otherwise, in which case none of
 * them is stored. Callers acknowledge a source record only after it was delivered or {@code write}
 * returned for it: a dead letter that cannot be written keeps its record in Redis ({@code
 * at_least_once}) or is logged as lost ({@code at_most_once}, where the record was already popped).
 *
 * <p><b>Content never fails a write</b>: an entry whose record cannot be rendered is still kept
 * (with its bytes re-encoded), so the only failures are those of the store itself.
 *
 * <p>Thread-safe: called from the purge or consumer threads and from every pump's thread.
 */
public interface DeadLetterQueue extends AutoCloseable {

  /**
   * Stores {@code entries}, all or none.
   *
   * @throws DeadLetterException the store cannot be written now; none of the entries is kept
   */
  void write(List<? extends DeadLetter> entries) throws DeadLetterException;

  /** An element from {@code sourceKey} that is not a valid record; see {@link #write}. */
  default void undecodable(String sourceKey, byte[] raw, String reason) throws DeadLetterException {
    write(List.of(new DeadLetter.Undecodable(sourceKey, raw, reason)));
  }

  /** A record {@code pump} rejected permanently; see {@link #write}. */
  default void rejected(String pump, AnalyticsRecord record, String reason)
      throws DeadLetterException {
    write(List.of(new DeadLetter.Rejected(pump, record, reason)));
  }

  /** An uptime record {@code pump} could not write; see {@link #write}. */
  default void rejectedUptime(String pump, UptimeRecord record, String reason)
      throws DeadLetterException {
    write(List.of(new DeadLetter.RejectedUptime(pump, record, reason)));
  }

  /** Entries written since start. */
  long written();

  /**
   * Why the store cannot be written, while the last attempt failed (for readiness); empty when
   * the last write succeeded or none failed. Cheap; never blocks on I/O.
   */
  default Optional<String> problem() {
    return Optional.empty();
  }

  /** Closes the store; later writes throw {@link DeadLetterException}. Idempotent. */
  @Override
  void close();
}
