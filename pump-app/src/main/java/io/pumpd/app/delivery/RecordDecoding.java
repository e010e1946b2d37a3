package io.pumpd.app.delivery;

import io.pumpd.core.codec.BatchDecoder;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.UptimeRecord;
import java.util.List;

/**
 * Turns the raw gateway records of one stream entry into records, for one consumer thread (not
 * thread-safe; one instance per thread). Elements that cannot be decoded (or are larger than the
 * element limit) are left out, counted and, when the instance was made to, dead-lettered with
 * their raw bytes; those the dead-letter store did not take come back in the result.
 */
public interface RecordDecoding {

  /**
   * Request analytics from gateway list {@code key}, stopping once they take {@code maxHeapBytes}
   * ({@link BatchDecoder.Decoded#consumed()} says how far it got).
   */
  BatchDecoder.Decoded<AnalyticsRecord> records(String key, List<byte[]> raw, long maxHeapBytes);

  /** Uptime records from the uptime list {@code key}; as {@link #records}. */
  BatchDecoder.Decoded<UptimeRecord> uptime(String key, List<byte[]> raw, long maxHeapBytes);

  /** Makes one {@link RecordDecoding} per consumer thread. Thread-safe. */
  @FunctionalInterface
  interface Factory {
    /**
     * @param deadLetterUndecodable whether this consumer writes undecodable elements to the
     *     dead-letter file: exactly one pump's consumer does, so that an element every pump reads
     *     is kept once, not once per pump
     */
    RecordDecoding create(boolean deadLetterUndecodable);
  }
}
