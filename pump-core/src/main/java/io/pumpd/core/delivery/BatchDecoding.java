package io.pumpd.core.delivery;

import io.pumpd.core.codec.BatchDecoder;
import java.util.List;

/**
 * Turns the raw elements of a {@link SourceBatch} into records of its {@linkplain
 * SourceBatch#kind() kind}, choosing the format from the key (msgpack, protobuf). Undecodable
 * elements are counted, logged and dead-lettered inside, once; those the dead-letter store did not
 * take come back in {@link BatchDecoder.Decoded#notDeadLettered()}.
 *
 * <p>Threading: called from the engine's thread only; an implementation need not be thread-safe.
 */
@FunctionalInterface
public interface BatchDecoding {

  /**
   * Decodes {@code elements} (a tail of {@code batch}'s elements), stopping once the records
   * decoded take {@code maxHeapBytes} or more ({@link BatchDecoder.Decoded#consumed()} says how
   * far it got; at least one element is always consumed).
   */
  BatchDecoder.Decoded<?> decode(SourceBatch batch, List<byte[]> elements, long maxHeapBytes);
}
