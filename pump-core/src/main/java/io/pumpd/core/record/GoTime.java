package io.pumpd.core.record;

import java.time.Instant;

/** Go {@code time.Time} conventions used on the wire and in JSON. */
public final class GoTime {
  /** Go's zero {@code time.Time}: 0001-01-01T00:00:00Z, encoded as {@code [-62135596800, 0]}. */
  public static final Instant ZERO = Instant.ofEpochSecond(-62135596800L);

  private GoTime() {}

  /** The first second of year 0 (UTC), the earliest time Go's {@code MarshalJSON} accepts. */
  private static final long YEAR_0_SECONDS = -62167219200L;

  /** The first second of year 10000 (UTC), the first time Go's {@code MarshalJSON} refuses. */
  private static final long YEAR_10000_SECONDS = 253402300800L;

  /** True when {@code t} is Go's zero time. */
  public static boolean isZero(Instant t) {
    return ZERO.equals(t);
  }

  /**
   * True when {@code t}'s UTC year is within [0, 9999]: the times RFC 3339 can write and Go's
   * {@code time.Time.MarshalJSON} accepts ("year outside of range [0,9999]" otherwise). A decoded
   * record may hold any time of {@link Instant}'s range (years -1e9 to 1e9); renderers treat the
   * others specially (see {@link RecordJson#formatTime}).
   */
  public static boolean hasFourDigitYear(Instant t) {
    long s = t.getEpochSecond();
    return s >= YEAR_0_SECONDS && s < YEAR_10000_SECONDS;
  }
}
