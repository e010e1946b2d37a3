package io.pumpd.sinks.dogstatsd;

import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.RetriablePumpException;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.pump.WriteResult.RecordFailure;
import io.pumpd.core.record.AnalyticsRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Knows, for every metric the pump handed to the client, whether the client has since written it
 * to the socket, failed to, or dropped it, and completes each {@code write} batch's stage once all
 * of its metrics are accounted for.
 *
 * <p>It relies on order: the client is built with one processor and one sender thread, so metrics
 * reach the socket in the order they were enqueued, and the n-th line the {@link
 * DatagramFramingChannel} sees is the n-th metric registered here. The pump rejects metrics that
 * the client would drop for size before enqueueing them, so the order holds in practice; if the
 * client drops one anyway ({@link #dropped}), the counts stay exact but the record blamed for it
 * may be a neighbour of the real one.
 *
 * <p>Thread-safe: {@link #open}, {@link #register} and {@link #seal} come from the pump's
 * pump's runner thread, {@link #sent}/{@link #failed} from the client's sender thread, {@link
 * #dropped} from its processor thread, {@link #awaitDrained} from the flush caller and {@link
 * #abandonAll} from the closing thread. Stages are completed on {@code completions}, never on the
 * client's threads.
 */
final class DeliveryLedger {

  /** One {@code write} call's metrics. Guarded by the ledger's lock. */
  static final class Batch {
    private final long start;
    private long end = -1;
    private final int records;
    private final List<AnalyticsRecord> enqueued = new ArrayList<>();
    private final List<RecordFailure> failures;
    private final CompletableFuture<WriteResult> stage = new CompletableFuture<>();

    private Batch(long start, int records, List<RecordFailure> rejectedUpFront) {
      this.start = start;
      this.records = records;
      this.failures = new ArrayList<>(rejectedUpFront);
    }

    private boolean sealed() {
      return end >= 0;
    }
  }

  private final Executor completions;
  private final ArrayDeque<Batch> pending = new ArrayDeque<>();
  private long nextSeq;
  private long accounted;
  private boolean abandoned;

  /** @param completions where batch stages are completed (never a client thread) */
  DeliveryLedger(Executor completions) {
    this.completions = completions;
  }

  /**
   * Starts a batch of {@code records} records, of which {@code rejectedUpFront} will not be sent.
   *
   * @throws PumpException the ledger was abandoned (the pump is closed)
   */
  synchronized Batch open(int records, List<RecordFailure> rejectedUpFront) throws PumpException {
    if (abandoned) {
      throw new PumpException("dogstatsd pump is closed");
    }
    Batch b = new Batch(nextSeq, records, rejectedUpFront);
    pending.addLast(b);
    return b;
  }

  /** Records that {@code record}'s metric is about to be enqueued; call before handing it to the client. */
  synchronized void register(Batch b, AnalyticsRecord record) {
    b.enqueued.add(record);
    nextSeq++;
  }

  /**
   * No more metrics for {@code b}; returns its stage (already complete if nothing is outstanding).
   *
   * @param allEnqueued false when the pump stopped enqueueing part-way (it is closing): the stage
   *     then fails (retriable), since some records were never handed to the client
   */
  synchronized CompletionStage<WriteResult> seal(Batch b, boolean allEnqueued) {
    b.end = nextSeq;
    if (!allEnqueued || abandoned) {
      pending.remove(b);
      completeLater(
          b, null, new RetriablePumpException("dogstatsd pump closed while the batch was being sent"));
      completeFinished();
      return b.stage;
    }
    completeFinished();
    return b.stage;
  }

  /** {@code n} metrics were written to the socket (sender thread). */
  void sent(int n) {
    account(n, null, false);
  }

  /**
   * {@code n} metrics could not be written to the socket (sender thread).
   *
   * @param retriable true when the receiver or socket was the cause: the records become {@linkplain
   *     RecordFailure#retriable() retriable} failures (at_least_once offers the whole batch again;
   *     the metrics of it that did go out are then sent twice); false when the metrics themselves
   *     can never be sent: permanent failures
   */
  void failed(int n, String reason, boolean retriable) {
    account(n, reason, retriable);
  }

  /** The client dropped one enqueued metric before it reached the socket (processor thread). */
  void dropped(String reason) {
    account(1, reason, false);
  }

  /** Metrics registered but not yet accounted for. */
  synchronized long outstanding() {
    return nextSeq - accounted;
  }

  /**
   * Waits until every registered metric is accounted for, or the deadline passes.
   *
   * @return the metrics still outstanding (0 when drained)
   */
  synchronized long awaitDrained(Deadline deadline) throws InterruptedException {
    while (accounted < nextSeq && !abandoned) {
      long ms = deadline.remainingMillis();
      if (ms <= 0) {
        break;
      }
      wait(Math.min(ms, 1000));
    }
    return abandoned ? 0 : nextSeq - accounted;
  }

  /**
   * Gives up on every batch still open: their stages complete exceptionally with {@code reason}
   * (the records may be retried), and later {@link #open} calls fail.
   *
   * @return the number of metrics given up on
   */
  synchronized long abandonAll(String reason) {
    abandoned = true;
    long lost = nextSeq - accounted;
    for (Batch b : pending) {
      completeLater(b, null, new RetriablePumpException(reason));
    }
    pending.clear();
    accounted = nextSeq;
    notifyAll();
    return lost;
  }

  private synchronized void account(int n, String reason, boolean retriable) {
    for (int i = 0; i < n && accounted < nextSeq; i++) {
      long seq = accounted++;
      if (reason != null) {
        Batch b = batchOf(seq);
        if (b == null) {
          continue;
        }
        AnalyticsRecord record = b.enqueued.get((int) (seq - b.start));
        b.failures.add(retriable ? RecordFailure.forNow(record, reason) : new RecordFailure(record, reason));
      }
    }
    completeFinished();
    notifyAll();
  }

  private Batch batchOf(long seq) {
    for (Batch b : pending) {
      long end = b.sealed() ? b.end : nextSeq;
      if (seq >= b.start && seq < end) {
        return b;
      }
    }
    return null;
  }

  private void completeFinished() {
    while (!pending.isEmpty() && pending.peekFirst().sealed() && accounted >= pending.peekFirst().end) {
      Batch b = pending.removeFirst();
      completeLater(b, new WriteResult(b.records - b.failures.size(), b.failures), null);
    }
  }

  private void completeLater(Batch b, WriteResult result, Throwable error) {
    Runnable complete =
        () -> {
          if (error != null) {
            b.stage.completeExceptionally(error);
          } else {
            b.stage.complete(result);
          }
        };
    try {
      completions.execute(complete);
    } catch (RejectedExecutionException e) {
      complete.run();
    }
  }
}
