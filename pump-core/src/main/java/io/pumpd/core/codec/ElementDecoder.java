package io.pumpd.core.codec;

/**
 * Decodes one Redis list element into one record of a kind ({@code T}); the unit that {@link
 * BatchDecoder} drives over a batch, counting, logging and dead-lettering the elements it refuses.
 *
 * <p>Contract: {@link #decode} either returns a record (never {@code null}) or throws {@link
 * RecordDecodeException} with a message that says what is wrong and where; no other exception
 * for any content of {@code element}, which may be {@code null} or empty. An implementation that
 * bounds what an element may decode to refuses an element past its bound with {@link
 * RecordDecodeException} before allocating the excess. {@link #lastHeapBytes()} then tells the
 * estimated heap of the record just returned (what an in-flight budget counts).
 *
 * <p>Threading: implementations may reuse state between calls and are then not thread-safe; use
 * one instance per thread, as {@link BatchDecoder} does.
 *
 * @param <T> the record type
 */
public interface ElementDecoder<T> {
  /**
   * Decodes exactly one record from {@code element}.
   *
   * @throws RecordDecodeException when the bytes are not one valid record of this kind, or decode
   *     to more heap than the implementation allows
   */
  T decode(byte[] element) throws RecordDecodeException;

  /** The estimated heap taken by the record returned by the last successful {@link #decode}. */
  long lastHeapBytes();
}
