package io.pumpd.core.retry;

import io.pumpd.core.pump.Deadline;
import java.time.Duration;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an action until it succeeds, fails with a non-retriable error, or the deadline leaves no
 * time for another attempt, sleeping {@link Backoff} delays in between (or the server's {@code
 * Retry-After}, when the failure carries one). Stateless apart from its settings; thread-safe.
 */
public final class Retrier {
  private static final Logger LOG = LoggerFactory.getLogger(Retrier.class);

  /** One attempt. */
  @FunctionalInterface
  public interface Attempt<T> {
    T run() throws Exception;
  }

  /** A failure may carry a delay the server asked for (HTTP {@code Retry-After}). */
  public interface RetryAfter {
    /** The requested delay, or {@code null} for none. */
    Duration retryAfter();
  }

  private final Backoff backoff;
  private final Predicate<Throwable> retriable;
  private final String action;

  /**
   * @param backoff delays between attempts
   * @param retriable which failures are worth another attempt
   * @param action what is being done, for log lines ("bulk request to elasticsearch")
   */
  public Retrier(Backoff backoff, Predicate<Throwable> retriable, String action) {
    this.backoff = backoff;
    this.retriable = retriable;
    this.action = action;
  }

  /**
   * Runs {@code attempt}.
   *
   * @return the first successful result
   * @throws Exception the last failure: non-retriable, or retriable but out of time; {@link
   *     InterruptedException} when interrupted while waiting
   */
  public <T> T call(Attempt<T> attempt, Deadline deadline) throws Exception {
    return call(attempt, deadline, (n, e) -> { });
  }

  /** Told of every retriable failure, before the wait or the give-up that follows it. */
  @FunctionalInterface
  public interface Listener {
    /**
     * @param attempt the attempt that failed (1-based)
     * @param failure its failure (retriable)
     */
    void failed(int attempt, Exception failure);
  }

  /**
   * As {@link #call(Attempt, Deadline)}, telling {@code listener} of each retriable failure (on the
   * calling thread; it must not throw).
   */
  public <T> T call(Attempt<T> attempt, Deadline deadline, Listener listener) throws Exception {
    for (int n = 1; ; n++) {
      try {
        return attempt.run();
      } catch (Exception e) {
        if (!retriable.test(e)) {
          throw e;
        }
        listener.failed(n, e);
        Duration wait = backoff.delay(n);
        if (e instanceof RetryAfter ra && ra.retryAfter() != null) {
          wait = ra.retryAfter();
        }
        if (deadline.remaining().compareTo(wait) <= 0) {
          LOG.debug("{}: attempt {} failed and no time is left: {}", action, n, e.toString());
          throw e;
        }
        LOG.debug("{}: attempt {} failed ({}), retrying in {} ms", action, n, e, wait.toMillis());
        Thread.sleep(Math.max(0, wait.toMillis()));
      }
    }
  }
}
