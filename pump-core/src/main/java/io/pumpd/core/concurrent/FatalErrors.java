package io.pumpd.core.concurrent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the daemon does with an error it cannot recover from: an {@link OutOfMemoryError} (or
 * another {@link VirtualMachineError} that leaves the JVM in an unknown state) thrown anywhere,
 * even in a thread that would otherwise swallow it. Such an error ends the process with {@link
 * #EXIT_STATUS}, so that the supervisor (systemd, Kubernetes) restarts it; a process whose
 * delivery threads died of it must never stay up looking healthy. In {@code at_least_once} mode
 * nothing is lost by this: what the daemon held is still pending in Redis.
 *
 * <p>The launcher ({@code bin/pump}), the systemd unit and the container image also start the JVM
 * with {@code -XX:+ExitOnOutOfMemoryError}, which ends the process at the allocation that failed,
 * wherever it happens (also in client-library threads); this class is the equivalent for a JVM
 * started without it, at every place where the daemon sees a failure.
 *
 * <p>{@link StackOverflowError} is not fatal: it unwinds cleanly and says something about the
 * input being processed (the caller treats it as a failure of that input).
 *
 * <p>Thread-safe. The handler is process-wide; tests may replace it ({@link #setHandler}).
 */
public final class FatalErrors {
  private static final Logger LOG = LoggerFactory.getLogger(FatalErrors.class);

  /** Exit status after a fatal error (the same as the JVM's own {@code ExitOnOutOfMemoryError}). */
  public static final int EXIT_STATUS = 3;

  /** Receives a fatal error. The default logs it and halts the JVM. */
  @FunctionalInterface
  public interface Handler {
    /**
     * @param where the thread or activity that saw it ("deliver-es")
     * @param error the fatal error (or the exception that carries it as a cause)
     */
    void fatal(String where, Throwable error);
  }

  /** Released before logging a fatal error, so that the last log line can still be written. */
  private static volatile byte[] reserve = new byte[1 << 20];

  private static volatile Handler handler = FatalErrors::haltProcess;

  private FatalErrors() {}

  /**
   * True when {@code t} or one of its causes (or suppressed exceptions) is an {@link
   * OutOfMemoryError}, {@link InternalError} or {@link UnknownError}.
   */
  public static boolean isFatal(Throwable t) {
    return Causes.find(t, e -> e instanceof OutOfMemoryError
        || e instanceof InternalError
        || e instanceof UnknownError).isPresent();
  }

  /**
   * Hands {@code t} to the handler when it {@linkplain #isFatal is fatal}; with the default
   * handler this does not return. Call it first in every {@code catch} that may see an error
   * (including {@code ExecutionException}s whose cause is one).
   *
   * @return normally when {@code t} is not fatal (or a test handler returned)
   */
  public static void check(String where, Throwable t) {
    if (isFatal(t)) {
      handler.fatal(where, t);
    }
  }

  /** Replaces the handler (tests); returns the previous one. */
  public static Handler setHandler(Handler h) {
    Handler previous = handler;
    handler = h;
    return previous;
  }

  private static void haltProcess(String where, Throwable error) {
    reserve = null;
    String line = "Fatal error in " + where + ": " + error
        + "; exiting with status " + EXIT_STATUS
        + " so that the supervisor restarts the daemon (records not yet confirmed stay in Redis"
        + " with at_least_once)";
    try {
      LOG.error(line, error);
    } catch (Throwable logFailed) {
      System.err.println(line);
    }
    System.err.flush();
    Runtime.getRuntime().halt(EXIT_STATUS);
  }
}
