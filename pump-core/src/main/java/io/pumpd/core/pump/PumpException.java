package io.pumpd.core.pump;

/**
 * A pump could not do what was asked. Thrown from {@link Pump#write}, it means the batch was not
 * taken and a retry will not help (the core dead-letters it); from {@link Pump#init}, that the pump
 * cannot run with its configuration. See {@link RetriablePumpException} for transient failures.
 */
public class PumpException extends Exception {
  private static final long serialVersionUID = 1L;

  public PumpException(String message) {
    super(message);
  }

  public PumpException(String message, Throwable cause) {
    super(message, cause);
  }
}
