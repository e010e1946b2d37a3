package io.pumpd.app.redis;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the last contact with Redis succeeded, and the outage log: one WARN when an outage
 * starts ({@code Redis unreachable at <where>: <cause>; will keep retrying}) and one INFO when it
 * ends ({@code Redis reachable again after N s}), never one line per failed cycle (those go to
 * DEBUG). Before the first contact the state is unknown and {@link #isUp()} is false.
 *
 * <p>Threading: {@link #up()} and {@link #down(Throwable)} from the threads that talk to Redis
 * (they are synchronized); {@link #isUp()} from any thread. Shared with the {@code at_least_once}
 * engine ({@code io.pumpd.app.delivery}).
 */
public final class RedisAvailability {
  private static final Logger LOG = LoggerFactory.getLogger(RedisAvailability.class);

  private enum State {
    UNKNOWN,
    UP,
    DOWN
  }

  private final String where;
  private volatile State state = State.UNKNOWN;
  private long downSinceNanos;

  public RedisAvailability(String where) {
    this.where = where;
  }

  /** A command succeeded. */
  public synchronized void up() {
    if (state == State.DOWN) {
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - downSinceNanos);
      LOG.info("Redis reachable again after {} s ({})", seconds, where);
    } else if (state == State.UNKNOWN) {
      LOG.info("Connected to Redis at {}", where);
    }
    state = State.UP;
  }

  /** A command failed for want of Redis. */
  public synchronized void down(Throwable cause) {
    if (state != State.DOWN) {
      downSinceNanos = System.nanoTime();
      state = State.DOWN;
      LOG.warn("Redis unreachable at {}: {}; will keep retrying", where, describe(cause));
    } else {
      LOG.debug("Redis still unreachable at {}: {}", where, describe(cause));
    }
  }

  public boolean isUp() {
    return state == State.UP;
  }

  /** The exception's message, with its root cause's when that adds something. */
  public static String describe(Throwable t) {
    String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != t && root.getMessage() != null && !msg.contains(root.getMessage())) {
      msg = msg + " (" + root.getMessage() + ")";
    }
    return msg;
  }
}
