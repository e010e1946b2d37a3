package io.pumpd.app.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.pumpd.core.concurrent.Causes;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the last contact with Redis succeeded, why not, and the outage log. A failure is one of
 * two kinds, each logged once when it starts, never once per failed cycle (repeats go to DEBUG):
 *
 * <ul>
 *   <li>Redis refused the credentials ({@code WRONGPASS}, {@code NOAUTH}, {@code ERR AUTH ...},
 *       {@code ERR invalid password}, an {@code AUTH} with a user name sent to a Redis before 6):
 *       ERROR {@code Redis authentication failed at <where>: <Redis's reply>; check ...}, naming
 *       the settings to fix and their env vars; readiness says {@code redis authentication failed:
 *       <Redis's reply>}. An ACL user denied a command ({@code NOPERM}) is logged and reported the
 *       same way as {@code redis permission denied}. Lettuce reports a refusal at connect as a
 *       {@code RedisConnectionException} caused by a {@code RedisCommandExecutionException}, and
 *       one after connecting as the latter alone: the whole cause chain is searched.
 *   <li>anything else (refused connection, timeout, TLS handshake): WARN {@code Redis unreachable
 *       at <where>: <cause>; will keep retrying}; readiness says {@code redis unreachable}.
 * </ul>
 *
 * A change from one kind to the other is logged as a new failure; the end of a failure is one INFO
 * line ({@code Redis reachable again after N s}). Before the first contact the state is unknown:
 * {@link #isUp()} is false and the readiness reason is {@code redis unreachable}.
 *
 * <p>Threading: {@link #up()} and {@link #down(Throwable)} from the threads that talk to Redis
 * (they are synchronized); {@link #isUp()} and {@link #notReadyReason()} from any thread. Shared
 * with the {@code at_least_once} engine ({@code io.pumpd.app.redis.stream}).
 */
public final class RedisAvailability {
  private static final Logger LOG = LoggerFactory.getLogger(RedisAvailability.class);
  private static final String UNREACHABLE = "redis unreachable";

  /**
   * How Redis words a refusal of the credentials, by the start of its error reply (upper-cased):
   * Redis 6+ ACL ({@code WRONGPASS}), no or no valid {@code AUTH} sent ({@code NOAUTH}), a
   * password sent to a server without one ({@code ERR AUTH <password> called without any password
   * configured}, {@code ERR Client sent AUTH, but no password is set}), Redis before 6 ({@code ERR
   * invalid password}, {@code AUTH user pass} before Redis 6).
   */
  private static final List<String> AUTH_REPLIES = List.of(
      "WRONGPASS", "NOAUTH", "ERR AUTH", "ERR CLIENT SENT AUTH", "ERR INVALID PASSWORD",
      "ERR WRONG NUMBER OF ARGUMENTS FOR 'AUTH'");

  /** An ACL user without a permission the pump needs. */
  private static final String PERMISSION_REPLY = "NOPERM";

  private enum State {
    UNKNOWN,
    UP,
    DOWN
  }

  /** Why Redis is down. */
  private enum Kind {
    UNREACHABLE,
    AUTHENTICATION,
    PERMISSION
  }

  /** The state and, when not up, the kind of failure and the readiness reason; replaced whole. */
  private record Status(State state, Kind kind, String reason) {}

  private static final Status UNKNOWN = new Status(State.UNKNOWN, Kind.UNREACHABLE, UNREACHABLE);
  private static final Status UP = new Status(State.UP, null, null);

  private final String where;
  private volatile Status status = UNKNOWN;
  private long downSinceNanos;

  public RedisAvailability(String where) {
    this.where = where;
  }

  /** A command succeeded. */
  public synchronized void up() {
    if (status.state() == State.DOWN) {
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - downSinceNanos);
      LOG.info("Redis reachable again after {} s ({})", seconds, where);
    } else if (status.state() == State.UNKNOWN) {
      LOG.info("Connected to Redis at {}", where);
    }
    status = UP;
  }

  /** A command failed for want of Redis, or because Redis refused the credentials. */
  public synchronized void down(Throwable cause) {
    Optional<String> refusal = authenticationFailure(cause);
    Kind kind = refusal.isEmpty() ? Kind.UNREACHABLE
        : refusal.get().toUpperCase(Locale.ROOT).startsWith(PERMISSION_REPLY) ? Kind.PERMISSION
        : Kind.AUTHENTICATION;
    Status was = status;
    if (was.state() == State.DOWN && was.kind() == kind) {
      LOG.debug("Redis still failing at {}: {}", where, describe(cause));
      return;
    }
    if (was.state() != State.DOWN) {
      downSinceNanos = System.nanoTime();
    }
    switch (kind) {
      case AUTHENTICATION -> {
        status = new Status(State.DOWN, kind, "redis authentication failed: " + refusal.get());
        LOG.error("Redis authentication failed at {}: {}; check {}; will keep retrying", where,
            refusal.get(), credentialSettings(cause));
      }
      case PERMISSION -> {
        status = new Status(State.DOWN, kind, "redis permission denied: " + refusal.get());
        LOG.error("Redis denied a command the pump needs at {}: {}; grant it to the ACL user of"
            + " analytics_storage_config.username (env TYK_PMP_ANALYTICSSTORAGECONFIG_USERNAME);"
            + " will keep retrying", where, refusal.get());
      }
      default -> {
        status = new Status(State.DOWN, kind, UNREACHABLE);
        LOG.warn("Redis unreachable at {}: {}; will keep retrying", where, describe(cause));
      }
    }
  }

  public boolean isUp() {
    return status.state() == State.UP;
  }

  /**
   * Why the pump is not ready as far as Redis goes, for the readiness endpoint: empty when the
   * last contact succeeded, {@code redis authentication failed: <Redis's reply>} when Redis
   * refused the credentials, {@code redis permission denied: <Redis's reply>} when the ACL user may
   * not run a command the pump needs, else {@code redis unreachable}. Never blocks.
   */
  public Optional<String> notReadyReason() {
    return Optional.ofNullable(status.reason());
  }

  /**
   * Redis's reply when {@code t}, one of its causes or one of the exceptions they suppressed is a
   * refusal of the credentials or an ACL denial ({@code NOPERM}), else empty. Suppressed exceptions
   * count because Lettuce attaches the failure of each Sentinel it tried as a suppressed exception
   * of "Cannot connect to a Redis Sentinel".
   */
  public static Optional<String> authenticationFailure(Throwable t) {
    return Causes.find(t, RedisAvailability::isRefusal).map(c -> c.getMessage().strip());
  }

  /**
   * True when {@code replyError} is Redis answering a command with an error other than a refusal
   * of the credentials: Redis is reachable and the pump's access works, whatever it refused. A
   * refusal of the credentials is not such an answer: it is reported through {@link #down}.
   */
  public static boolean answeredWithError(Throwable replyError) {
    return replyError instanceof RedisCommandExecutionException
        && authenticationFailure(replyError).isEmpty();
  }

  private static boolean isRefusal(Throwable t) {
    if (t.getMessage() == null) {
      return false;
    }
    String upper = t.getMessage().strip().toUpperCase(Locale.ROOT);
    return upper.startsWith(PERMISSION_REPLY) || AUTH_REPLIES.stream().anyMatch(upper::startsWith);
  }

  /** The settings behind a refusal: Sentinel's password when Sentinel refused, else the ACL pair. */
  private static String credentialSettings(Throwable cause) {
    String pair = "analytics_storage_config.username and analytics_storage_config.password (env"
        + " TYK_PMP_ANALYTICSSTORAGECONFIG_USERNAME, TYK_PMP_ANALYTICSSTORAGECONFIG_PASSWORD)";
    boolean sentinel = Causes.chain(cause).stream()
        .anyMatch(c -> c.getMessage() != null && c.getMessage().contains("Sentinel"));
    return sentinel
        ? "analytics_storage_config.sentinel_password (env"
            + " TYK_PMP_ANALYTICSSTORAGECONFIG_SENTINELPASSWORD), then " + pair
        : pair;
  }

  /** The exception's message, with its root cause's when that adds something. */
  public static String describe(Throwable t) {
    String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    Throwable root = Causes.root(t);
    if (root != t && root.getMessage() != null && !msg.contains(root.getMessage())) {
      msg = msg + " (" + root.getMessage() + ")";
    }
    return msg;
  }
}
