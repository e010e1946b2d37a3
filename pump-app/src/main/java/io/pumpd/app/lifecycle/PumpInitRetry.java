package io.pumpd.app.lifecycle;

import io.pumpd.core.concurrent.FatalErrors;
import io.pumpd.core.concurrent.Threads;
import io.pumpd.core.engine.PumpRunner;
import io.pumpd.core.pump.Pump;
import io.pumpd.core.retry.Backoff;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries, in the background, the {@code init} of pumps that failed it at start (a directory not
 * writable yet, a backend's credentials not mounted yet): each attempt creates a fresh pump from
 * its factory and initialises it; once one succeeds the pump is handed to its {@link PumpRunner}
 * and the delivery is told, so that it catches up (in {@code at_least_once} its consumer group
 * kept its share of every stream meanwhile). Attempts back off from {@value #FIRST_SECONDS} s to
 * {@value #MAX_SECONDS} s; every failure is logged at WARN, at most once a minute per pump, and
 * the runner's readiness names the pump as not initialised with the last reason.
 *
 * <p>Lifecycle: {@link #retry} any number of times, then {@link #stop} once at shutdown. Its one
 * thread ({@code pump-init}) is the only one calling the pumps' factories and {@code init} after
 * start.
 */
final class PumpInitRetry {
  private static final Logger LOG = LoggerFactory.getLogger(PumpInitRetry.class);
  static final int FIRST_SECONDS = 1;
  static final int MAX_SECONDS = 60;
  private static final Backoff BACKOFF =
      new Backoff(Duration.ofSeconds(FIRST_SECONDS), Duration.ofSeconds(MAX_SECONDS));

  /** Creates and initialises a fresh pump; throws what {@code init} threw. */
  @FunctionalInterface
  interface Init {
    Pump createAndInit() throws Exception;
  }

  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(Threads.factory("pump-init"));
  private final Consumer<String> onInitialised;

  /** @param onInitialised told the pump's name once it is initialised (any thread) */
  PumpInitRetry(Consumer<String> onInitialised) {
    this.onInitialised = onInitialised;
  }

  /** Retries {@code init} for {@code runner}'s pump until it succeeds or {@link #stop}. */
  void retry(PumpRunner runner, Init init) {
    schedule(runner, init, 1, Long.MIN_VALUE);
  }

  private void schedule(PumpRunner runner, Init init, int attempt, long lastWarnNanos) {
    long delay = Math.max(FIRST_SECONDS * 1000L / 2, BACKOFF.ceiling(attempt).toMillis());
    try {
      thread.schedule(() -> attempt(runner, init, attempt, lastWarnNanos), delay,
          TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException stopped) {
      // shutting down
    }
  }

  private void attempt(PumpRunner runner, Init init, int attempt, long lastWarnNanos) {
    Pump pump;
    try {
      pump = init.createAndInit();
    } catch (Exception | Error e) {
      FatalErrors.check("pump-init", e);
      String reason = String.valueOf(e.getMessage());
      runner.initFailed(reason);
      long now = System.nanoTime();
      long warned = lastWarnNanos;
      if (warned == Long.MIN_VALUE || now - warned >= TimeUnit.SECONDS.toNanos(60)) {
        LOG.warn("Pump {} still cannot be initialised (attempt {}): {}; retrying", runner.name(),
            attempt + 1, reason);
        warned = now;
      }
      schedule(runner, init, attempt + 1, warned);
      return;
    }
    runner.initialised(pump);
    LOG.info("Init Pump: {} (after {} retries); it now catches up on what it missed",
        runner.name(), attempt);
    onInitialised.accept(runner.name());
  }

  /** Stops retrying; a pump being initialised right now is left to finish. */
  void stop() {
    thread.shutdownNow();
  }
}
