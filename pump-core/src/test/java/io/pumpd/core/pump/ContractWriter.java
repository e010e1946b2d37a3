package io.pumpd.core.pump;

import io.pumpd.core.record.AnalyticsRecord;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Plays the pump's runner thread: writes the same batch again and again, without a deadline (the
 * daemon's {@code at_most_once} default, and the worst case for a blocked write), until a write
 * throws or {@code maxBatches} were taken. Records every call. Thread-safe.
 */
final class ContractWriter {

  /** One {@code write} call: when it started, and the stage it returned or what it threw. */
  record Call(long startNanos, CompletionStage<WriteResult> stage, Throwable thrown) {}

  private final Pump pump;
  private final List<AnalyticsRecord> batch;
  private final int maxBatches;
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> finished = new CompletableFuture<>();
  private final Thread thread;
  /** Start of the call in progress ({@link System#nanoTime()}), or null between calls. */
  private volatile Long inCallSince;

  private ContractWriter(Pump pump, List<AnalyticsRecord> batch, int maxBatches) {
    this.pump = pump;
    this.batch = batch;
    this.maxBatches = maxBatches;
    this.thread = new Thread(this::run, "pump-contract-runner");
    thread.setDaemon(true);
  }

  static ContractWriter start(Pump pump, List<AnalyticsRecord> batch, int maxBatches) {
    ContractWriter w = new ContractWriter(pump, batch, maxBatches);
    w.thread.start();
    return w;
  }

  private void run() {
    try {
      for (int i = 0; i < maxBatches; i++) {
        long start = System.nanoTime();
        inCallSince = start;
        try {
          calls.add(new Call(start, pump.write(batch, Deadline.NONE), null));
        } catch (Throwable t) {
          calls.add(new Call(start, null, t));
          return;
        } finally {
          inCallSince = null;
        }
      }
    } finally {
      finished.complete(null);
    }
  }

  /** Start of the call in progress, or null between calls and once finished. */
  Long inCallSince() {
    return inCallSince;
  }

  /** How long the call in progress has lasted so far; zero between calls. */
  Duration inCallFor() {
    Long since = inCallSince;
    return since == null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - since);
  }

  boolean isFinished() {
    return finished.isDone();
  }

  /** Completes when the writer stopped: a write threw, or every batch was taken. */
  CompletableFuture<Void> finished() {
    return finished;
  }

  /** The calls so far, in order. */
  List<Call> calls() {
    return List.copyOf(calls);
  }

  /** Where the writer thread is now, for failure messages. */
  String stack() {
    return BoundedCall.stackOf(thread);
  }
}
