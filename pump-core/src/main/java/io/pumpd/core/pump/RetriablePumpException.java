package io.pumpd.core.pump;

/**
 * A transient failure (backend unreachable, overloaded, timed out): the batch was not taken, and
 * the same batch may succeed later. The core retries with backoff within the pump's deadline.
 */
public class RetriablePumpException extends PumpException {
  private static final long serialVersionUID = 1L;

  public RetriablePumpException(String message) {
    super(message);
  }

  public RetriablePumpException(String message, Throwable cause) {
    super(message, cause);
  }
}
