package io.pumpd.sinks.stdout;

import io.pumpd.core.concurrent.Threads;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.RetriablePumpException;
import java.io.PrintStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Prints lines on a thread of its own ({@code pumpd-stdout}), one hand-over at a time, so that a
 * reader of standard output that stops reading (the pipe fills up and a print blocks, where no
 * interrupt or close can reach it) holds that thread and not the caller: the caller waits for the
 * print until its deadline or until {@link #close}, which releases every waiter. A print stuck at
 * close stays stuck on its daemon thread; its lines may still come out if the reader resumes.
 *
 * <p>{@link #print} and {@link #awaitPrinted} from one thread at a time (the pump's runner
 * thread), {@link #close} from any thread.
 */
final class LinePrinter {
  private static final String CLOSED = "the stdout pump closed before standard output took the lines";

  private final PrintStream out;
  private final ExecutorService thread = Executors.newSingleThreadExecutor(Threads.factory("pumpd-stdout"));
  /** The last print handed over; completes when printed, or exceptionally (failed, or closed first). */
  private volatile CompletableFuture<Void> printing = CompletableFuture.completedFuture(null);
  private volatile boolean closed;

  LinePrinter(PrintStream out) {
    this.out = out;
  }

  /**
   * Prints {@code lines} once what was handed over before is printed, and waits until they are.
   *
   * @return the print: complete when {@code lines} were printed; still open when {@code deadline}
   *     passed first (the lines are taken and will be printed when the reader resumes)
   * @throws RetriablePumpException the previous print was still stuck at {@code deadline} (lines
   *     not taken), or the printer closed, or the caller was interrupted
   * @throws PumpException standard output is not writable (closed pipe)
   */
  CompletableFuture<Void> print(CharSequence lines, Deadline deadline) throws PumpException {
    if (!awaitPrinted(deadline)) {
      throw new RetriablePumpException("standard output took no lines for the previous batch before the deadline"
          + " (its reader is stalled); lines not taken");
    }
    CompletableFuture<Void> p = new CompletableFuture<>();
    printing = p;
    try {
      thread.execute(() -> printNow(lines, p));
    } catch (RejectedExecutionException e) {
      p.completeExceptionally(new RetriablePumpException(CLOSED));
    }
    if (closed) {
      p.completeExceptionally(new RetriablePumpException(CLOSED)); // close() may have missed p
    }
    await(p, deadline);
    if (p.isCompletedExceptionally()) {
      throw failure(p);
    }
    return p;
  }

  /**
   * Waits until everything handed over is printed.
   *
   * @return false when {@code deadline} passed first
   * @throws RetriablePumpException the printer closed, or the caller was interrupted
   */
  boolean awaitPrinted(Deadline deadline) throws PumpException {
    CompletableFuture<Void> last = printing;
    await(last, deadline);
    if (closed) {
      throw new RetriablePumpException(CLOSED);
    }
    return last.isDone();
  }

  /** Releases every waiter (their lines were not printed for sure) and stops taking lines. */
  void close() {
    closed = true;
    printing.completeExceptionally(new RetriablePumpException(CLOSED));
    thread.shutdown();
  }

  private void printNow(CharSequence lines, CompletableFuture<Void> done) {
    out.print(lines);
    out.flush();
    if (out.checkError()) {
      done.completeExceptionally(new PumpException("standard output is not writable (closed pipe?)"));
    } else {
      done.complete(null);
    }
  }

  private static void await(CompletableFuture<Void> f, Deadline deadline) throws RetriablePumpException {
    try {
      if (deadline.isUnbounded()) {
        f.get();
      } else {
        f.get(deadline.remaining().toNanos(), TimeUnit.NANOSECONDS);
      }
    } catch (ExecutionException | TimeoutException e) {
      // the caller looks at f
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetriablePumpException("interrupted while standard output took the lines", e);
    }
  }

  /** What a print that {@linkplain CompletableFuture#isCompletedExceptionally() failed} failed with. */
  private static PumpException failure(CompletableFuture<Void> failed) {
    try {
      failed.join();
      throw new IllegalStateException("the print did not fail");
    } catch (CompletionException e) {
      return e.getCause() instanceof PumpException pe ? pe : new PumpException(String.valueOf(e.getCause()), e);
    }
  }
}
