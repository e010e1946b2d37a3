package io.pumpd.core.delivery;

/** The record store (Redis) could not be reached or answered with an error; nothing was read. */
public class SourceUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;

  public SourceUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
