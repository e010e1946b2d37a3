package io.pumpd.core.codec;

/**
 * A Redis list element could not be decoded into a record: not msgpack (or, for the protobuf keys,
 * not protobuf), truncated, or a value of the wrong type for its key or field. The message names
 * the key or field (when known) and what was found. Callers
 * count the element, log it (rate-limited) and dead-letter its raw bytes; it never becomes a
 * {@code null} in a batch.
 */
public final class RecordDecodeException extends Exception {
  private static final long serialVersionUID = 1L;

  public RecordDecodeException(String message) {
    super(message);
  }

  public RecordDecodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
