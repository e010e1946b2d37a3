package io.pumpd.sinks.elasticsearch;

import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.pump.WriteResult.RecordFailure;
import io.pumpd.core.record.AnalyticsRecord;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The documents of one {@code write} call on their way to Elasticsearch. Each document is resolved
 * exactly once, as delivered or failed (later answers for it are ignored, e.g. a response arriving
 * after {@code close} failed it); when the last one is resolved the batch's future completes with
 * the {@link WriteResult}. Thread-safe: resolutions come from client and scheduler threads.
 */
final class PendingBatch {
  private static final int OPEN = 0;
  private static final int DONE = 1;

  private final List<AnalyticsRecord> records;
  private final Deadline deadline;
  private final AtomicIntegerArray state;
  private final AtomicInteger unresolved;
  private final AtomicInteger delivered = new AtomicInteger();
  private final ConcurrentLinkedQueue<RecordFailure> failures = new ConcurrentLinkedQueue<>();
  private final CompletableFuture<WriteResult> future = new CompletableFuture<>();
  private final Listener listener;

  /** Told about every resolution, for metrics and buffer accounting. */
  interface Listener {
    void delivered(PendingBatch batch, int index);

    void failed(PendingBatch batch, int index, String reason);

    void completed(PendingBatch batch);
  }

  PendingBatch(List<AnalyticsRecord> records, Deadline deadline, Listener listener) {
    this.records = records;
    this.deadline = deadline;
    this.state = new AtomicIntegerArray(records.size());
    this.unresolved = new AtomicInteger(records.size());
    this.listener = listener;
    if (records.isEmpty()) {
      complete();
    }
  }

  Deadline deadline() {
    return deadline;
  }

  int size() {
    return records.size();
  }

  /** Documents not resolved yet. */
  int unresolved() {
    return unresolved.get();
  }

  boolean isResolved(int index) {
    return state.get(index) == DONE;
  }

  CompletableFuture<WriteResult> future() {
    return future;
  }

  /** Elasticsearch acknowledged document {@code index}. */
  void delivered(int index) {
    if (state.compareAndSet(index, OPEN, DONE)) {
      delivered.incrementAndGet();
      listener.delivered(this, index);
      countDown();
    }
  }

  /**
   * Elasticsearch rejected document {@code index} itself, for {@code reason} (sending it again
   * cannot help).
   *
   * @return false when it was already resolved
   */
  boolean failed(int index, String reason) {
    return resolveFailed(index, new RecordFailure(records.get(index), reason));
  }

  /**
   * Document {@code index} was not acknowledged, for {@code reason}, but may be later (no answer
   * within the deadline, closed while pending): a {@linkplain RecordFailure#retriable() retriable}
   * failure.
   *
   * @return false when it was already resolved
   */
  boolean failedForNow(int index, String reason) {
    return resolveFailed(index, RecordFailure.forNow(records.get(index), reason));
  }

  private boolean resolveFailed(int index, RecordFailure failure) {
    if (state.compareAndSet(index, OPEN, DONE)) {
      failures.add(failure);
      listener.failed(this, index, failure.reason());
      countDown();
      return true;
    }
    return false;
  }

  /** Fails every unresolved document {@linkplain #failedForNow for now}; returns how many there were. */
  int failRemainingForNow(String reason) {
    int n = 0;
    for (int i = 0; i < records.size(); i++) {
      if (failedForNow(i, reason)) {
        n++;
      }
    }
    return n;
  }

  private void countDown() {
    if (unresolved.decrementAndGet() == 0) {
      complete();
    }
  }

  private void complete() {
    WriteResult result = new WriteResult(delivered.get(), List.copyOf(failures));
    listener.completed(this);
    future.complete(result);
  }
}
