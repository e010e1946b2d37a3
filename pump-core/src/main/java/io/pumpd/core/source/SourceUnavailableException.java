package io.pumpd.core.source;

/** The record store (Redis) could not be reached or answered with an error. */
public class SourceUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;

  public SourceUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
