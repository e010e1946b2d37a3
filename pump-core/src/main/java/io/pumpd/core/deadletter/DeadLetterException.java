package io.pumpd.core.deadletter;

/**
 * Dead-letter entries could not be kept (disk full, directory not writable, queue closed). None of
 * the entries of the failed call is in the store: the caller still holds them and must not
 * forget the records (in {@code at_least_once} their source entry stays unacknowledged in Redis).
 */
public final class DeadLetterException extends Exception {
  private static final long serialVersionUID = 1L;

  public DeadLetterException(String message, Throwable cause) {
    super(message, cause);
  }

  public DeadLetterException(String message) {
    super(message);
  }
}
