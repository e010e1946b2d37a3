package io.pumpd.core.record;

import java.time.Instant;

/** Go {@code time.Time} conventions used on the wire and in JSON. */
public final class GoTime {
  /** Go's zero {@code time.Time}: 0001-01-01T00:00:00Z, encoded as {@code [-62135596800, 0]}. */
  public static final Instant ZERO = Instant.ofEpochSecond(-62135596800L);

  private GoTime() {}

  /** True when {@code t} is Go's zero time. */
  public static boolean isZero(Instant t) {
    return ZERO.equals(t);
  }
}
