package io.pumpd.core.pump;

import java.time.Duration;

/**
 * A point in time on the monotonic clock ({@link System#nanoTime()}) by which an operation must
 * finish. Immutable, thread-safe.
 */
public final class Deadline {
  private static final long FAR = Long.MAX_VALUE / 4;

  /** No limit. */
  public static final Deadline NONE = new Deadline(System.nanoTime() + FAR, true);

  private final long atNanos;
  private final boolean unbounded;

  private Deadline(long atNanos, boolean unbounded) {
    this.atNanos = atNanos;
    this.unbounded = unbounded;
  }

  /** A deadline {@code d} from now; zero or negative means {@link #NONE}. */
  public static Deadline after(Duration d) {
    if (d == null || d.isZero() || d.isNegative()) {
      return NONE;
    }
    return new Deadline(System.nanoTime() + Math.min(d.toNanos(), FAR), false);
  }

  /** True when no limit applies. */
  public boolean isUnbounded() {
    return unbounded;
  }

  /** Time left, never negative. */
  public Duration remaining() {
    if (unbounded) {
      return Duration.ofNanos(FAR);
    }
    return Duration.ofNanos(Math.max(0, atNanos - System.nanoTime()));
  }

  /** Milliseconds left, never negative (for APIs taking millis). */
  public long remainingMillis() {
    return remaining().toMillis();
  }

  public boolean isExpired() {
    return !unbounded && System.nanoTime() - atNanos >= 0;
  }

  /** The earlier of this deadline and {@code d} from now. */
  public Deadline min(Duration d) {
    Deadline other = after(d);
    if (other.unbounded) {
      return this;
    }
    if (unbounded) {
      return other;
    }
    return atNanos - other.atNanos <= 0 ? this : other;
  }

  @Override
  public String toString() {
    return unbounded ? "Deadline[none]" : "Deadline[in " + remaining().toMillis() + " ms]";
  }
}
