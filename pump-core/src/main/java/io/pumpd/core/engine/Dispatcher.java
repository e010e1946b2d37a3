package io.pumpd.core.engine;

import io.pumpd.core.concurrent.Threads;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.UptimeRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Fans a decoded batch out to every pump in parallel and waits until each has taken it, failed or
 * timed out (each {@link PumpRunner} bounds its own wait by the pump's {@code timeout}).
 *
 * <p>Called from the purge thread only; {@link #flushAll} and {@link #closeAll} from the shutdown
 * thread after the purge loop stopped.
 */
public final class Dispatcher {
  private final List<PumpRunner> runners;
  private final ExecutorService waiters;

  public Dispatcher(List<PumpRunner> runners) {
    this.runners = List.copyOf(runners);
    this.waiters = Executors.newCachedThreadPool(Threads.factory("dispatch"));
  }

  public List<PumpRunner> runners() {
    return runners;
  }

  /** True when at least one pump accepts uptime records. */
  public boolean anyAcceptsUptime() {
    return runners.stream().anyMatch(PumpRunner::acceptsUptime);
  }

  /** Writes {@code batch} to every pump in parallel; returns one outcome per pump, in order. */
  public List<WriteOutcome> dispatch(List<AnalyticsRecord> batch) {
    if (batch.isEmpty()) {
      return List.of();
    }
    if (runners.size() == 1) {
      return List.of(runners.get(0).write(batch));
    }
    List<CompletableFuture<WriteOutcome>> futures = new ArrayList<>(runners.size());
    for (PumpRunner r : runners) {
      futures.add(CompletableFuture.supplyAsync(() -> r.write(batch), waiters));
    }
    return futures.stream().map(CompletableFuture::join).toList();
  }

  /** Writes uptime records to every pump that accepts them, in parallel, and waits. */
  public void dispatchUptime(List<UptimeRecord> records) {
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (PumpRunner r : runners) {
      if (r.acceptsUptime()) {
        futures.add(CompletableFuture.runAsync(() -> r.writeUptime(records), waiters));
      }
    }
    futures.forEach(CompletableFuture::join);
  }

  /**
   * Flushes every pump in parallel within {@code deadline}.
   *
   * @return the names of pumps whose flush did not complete
   */
  public List<String> flushAll(Deadline deadline) {
    List<CompletableFuture<Boolean>> futures = new ArrayList<>();
    for (PumpRunner r : runners) {
      futures.add(CompletableFuture.supplyAsync(() -> r.flush(deadline), waiters));
    }
    List<String> failed = new ArrayList<>();
    for (int i = 0; i < runners.size(); i++) {
      if (!futures.get(i).join()) {
        failed.add(runners.get(i).name());
      }
    }
    return failed;
  }

  /** Closes every pump (in parallel, bounded by {@code deadline}) and the dispatch threads. */
  public List<String> closeAll(Deadline deadline) {
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (PumpRunner r : runners) {
      futures.add(CompletableFuture.runAsync(r::close, waiters));
    }
    List<String> stuck = new ArrayList<>();
    for (int i = 0; i < runners.size(); i++) {
      try {
        futures.get(i).get(deadline.remaining().toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        stuck.add(runners.get(i).name());
      }
    }
    waiters.shutdownNow();
    return stuck;
  }
}
