package io.pumpd.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;

/**
 * A configuration value that must never appear in logs: passwords, tokens, API keys. {@link
 * #toString()} and JSON serialization print {@code "****"} (or {@code ""} when empty); only {@link
 * #reveal()} gives the value, to the client library that needs it. Immutable.
 */
public final class Secret {
  public static final Secret EMPTY = new Secret("");
  private static final String MASK = "****";

  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  @JsonCreator
  public static Secret of(String value) {
    return value == null || value.isEmpty() ? EMPTY : new Secret(value);
  }

  /** The clear value, for handing to a client library only. */
  public String reveal() {
    return value;
  }

  public boolean isEmpty() {
    return value.isEmpty();
  }

  @JsonValue
  @Override
  public String toString() {
    return value.isEmpty() ? "" : MASK;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && s.value.equals(value);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(value);
  }
}
