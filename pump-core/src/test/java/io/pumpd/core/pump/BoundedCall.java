package io.pumpd.core.pump;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Runs a call into a pump on a thread of its own and waits a bounded time for it, so that a call
 * that hangs fails the check with where it is stuck instead of hanging the build. The thread is a
 * daemon and is left behind when the call hangs (nothing can stop it).
 */
final class BoundedCall {

  /** A call that may throw anything. */
  @FunctionalInterface
  interface Body<T> {
    T run() throws Exception;
  }

  /** What a call returned, or what it threw (then {@code value} is null). */
  record Outcome<T>(T value, Throwable thrown) {
    boolean threw() {
      return thrown != null;
    }
  }

  private BoundedCall() {}

  /**
   * Runs {@code body} on a new thread named after {@code what} and waits up to {@code bound}.
   *
   * @throws AssertionError the call did not return in time; the message has its stack trace
   */
  static <T> Outcome<T> within(Duration bound, String what, Body<T> body) {
    CompletableFuture<Outcome<T>> done = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        done.complete(new Outcome<>(body.run(), null));
      } catch (Throwable e) {
        done.complete(new Outcome<>(null, e));
      }
    }, "pump-contract: " + what);
    t.setDaemon(true);
    t.start();
    try {
      return done.get(bound.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(what + " did not return within " + bound.toMillis() + " ms; it is at\n"
          + stackOf(t));
    } catch (ExecutionException e) {
      throw new IllegalStateException(e); // the future is only ever completed normally
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + what, e);
    }
  }

  /**
   * Waits up to {@code bound} for {@code stage} to complete.
   *
   * @return its result, or what it completed exceptionally with
   * @throws AssertionError it did not complete in time
   */
  static Outcome<WriteResult> completion(CompletionStage<WriteResult> stage, Duration bound, String what) {
    try {
      return new Outcome<>(stage.toCompletableFuture().get(bound.toNanos(), TimeUnit.NANOSECONDS), null);
    } catch (TimeoutException e) {
      throw new AssertionError(what + " did not complete within " + bound.toMillis() + " ms");
    } catch (ExecutionException e) {
      return new Outcome<>(null, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + what, e);
    } catch (RuntimeException e) { // CancellationException
      return new Outcome<>(null, e);
    }
  }

  /** The stack trace of {@code t}, one frame a line. */
  static String stackOf(Thread t) {
    return Arrays.stream(t.getStackTrace()).map(f -> "\tat " + f).collect(Collectors.joining("\n"));
  }
}
