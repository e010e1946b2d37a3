package io.pumpd.core.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential backoff with full jitter: the delay before retry {@code n} (1-based) is
 * uniform in {@code [0, min(max, initial * 2^(n-1))]}. Immutable, thread-safe.
 *
 * @param initial the cap of the first delay
 * @param max the cap of every delay
 */
public record Backoff(Duration initial, Duration max) {

  /** 100 ms doubling up to 10 s. */
  public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));

  public Backoff {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + ", " + max);
    }
  }

  /** The upper bound of the delay before retry {@code attempt} (1-based), without jitter. */
  public Duration ceiling(int attempt) {
    int shift = Math.max(0, Math.min(attempt - 1, 30));
    long nanos = initial.toNanos();
    long capped = nanos > (max.toNanos() >> shift) ? max.toNanos() : nanos << shift;
    return Duration.ofNanos(Math.min(capped, max.toNanos()));
  }

  /** A random delay in {@code [0, ceiling(attempt)]}. */
  public Duration delay(int attempt) {
    long c = ceiling(attempt).toNanos();
    return Duration.ofNanos(c == 0 ? 0 : ThreadLocalRandom.current().nextLong(c + 1));
  }
}
