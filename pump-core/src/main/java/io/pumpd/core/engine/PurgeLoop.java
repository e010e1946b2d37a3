package io.pumpd.core.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pumpd.core.codec.BatchDecoder;
import io.pumpd.core.concurrent.FatalErrors;
import io.pumpd.core.concurrent.Threads;
import io.pumpd.core.deadletter.RateLimitedLogger;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.UptimeRecord;
import io.pumpd.core.source.RecordSource;
import io.pumpd.core.source.SourceBatch;
import io.pumpd.core.source.SourceUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The purge cycle, every {@code purge_delay} seconds on one thread ({@code purge-loop}), so cycles
 * never overlap. A cycle pops one chunk from every non-empty analytics key, decodes it, fans it out
 * to all pumps, settles the source batches, and repeats until the keys are empty, the per-cycle
 * budget is reached, or a stop was requested; then it drains the uptime key the same way when a
 * pump accepts uptime records. Any exception is caught and logged: it never ends the loop.
 *
 * <p>Lifecycle: {@link #start()} once, {@link #stop(Deadline)} once. {@link #runCycle()} is public
 * for tests and for a final cycle driven by the caller.
 */
public final class PurgeLoop {
  private static final Logger LOG = LoggerFactory.getLogger(PurgeLoop.class);

  /**
   * Turns one source batch into records; bad elements are handled (counted, dead-lettered)
   * inside, and those that could not be dead-lettered come back in {@link
   * BatchDecoder.Decoded#notDeadLettered()}.
   */
  @FunctionalInterface
  public interface Decoder<T> {
    BatchDecoder.Decoded<T> decode(String key, List<byte[]> elements);
  }

  /**
   * @param purgeDelay time between the end of one cycle and the start of the next
   * @param chunkSize records popped per key per round
   * @param maxRecordsPerCycle a cycle stops popping once it has this many (the rest waits one
   *     {@code purgeDelay})
   * @param purgeUptime whether to drain the uptime key
   */
  public record Settings(
      Duration purgeDelay, int chunkSize, int maxRecordsPerCycle, boolean purgeUptime) {}

  private final RecordSource source;
  private final Decoder<AnalyticsRecord> decoder;
  private final Decoder<UptimeRecord> uptimeDecoder;
  private final Dispatcher dispatcher;
  private final Settings settings;
  private final ScheduledExecutorService scheduler;
  private final ReentrantLock cycleLock = new ReentrantLock();
  private volatile boolean stopRequested;

  private final Counter popped;
  private final Counter lost;
  private final RateLimitedLogger lossLog = new RateLimitedLogger(LOG, Duration.ofSeconds(10));
  private final Counter cycles;
  private final Timer cycleTimer;

  public PurgeLoop(
      RecordSource source,
      Decoder<AnalyticsRecord> decoder,
      Decoder<UptimeRecord> uptimeDecoder,
      Dispatcher dispatcher,
      Settings settings,
      MeterRegistry registry) {
    this.source = source;
    this.decoder = decoder;
    this.uptimeDecoder = uptimeDecoder;
    this.dispatcher = dispatcher;
    this.settings = settings;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(Threads.factory("purge-loop"));
    this.popped = registry.counter("pump.records.popped");
    this.lost = registry.counter("pump.records.lost", "pump", "", "reason", "deadletter_failed");
    this.cycles = registry.counter("pump.purge.cycles");
    this.cycleTimer = registry.timer("pump.purge.duration");
  }

  /** Starts cycling: the first cycle at once, then {@code purgeDelay} after each cycle ends. */
  public void start() {
    long delayMs = settings.purgeDelay().toMillis();
    scheduler.scheduleWithFixedDelay(this::runCycleSafely, 0, delayMs, TimeUnit.MILLISECONDS);
  }

  private void runCycleSafely() {
    try {
      CycleReport report = runCycle();
      if (report.budgetHit() && !stopRequested) {
        scheduler.execute(this::runCycleSafely); // a backlog is waiting: go on without the delay
      }
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      // stop() shut the scheduler down meanwhile
    } catch (Throwable t) { // the scheduler cancels a periodic task that throws
      FatalErrors.check("purge-loop", t);
      LOG.error("Purge cycle failed; the next cycle runs as scheduled", t);
    }
  }

  /**
   * Runs one cycle on the calling thread (waiting for a cycle in progress to end first).
   *
   * @return what the cycle did
   */
  public CycleReport runCycle() {
    cycleLock.lock();
    try {
      if (stopRequested) {
        return CycleReport.EMPTY;
      }
      long start = System.nanoTime();
      CycleReport report = drainAnalytics();
      int uptime = settings.purgeUptime() ? drainUptime() : 0;
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      report = report.withUptime(uptime).withDuration(took);
      cycles.increment();
      cycleTimer.record(took);
      LOG.info("{}", report.logLine());
      return report;
    } finally {
      cycleLock.unlock();
    }
  }

  private CycleReport drainAnalytics() {
    int records = 0;
    int undecodable = 0;
    int rounds = 0;
    boolean budgetHit = false;
    Map<String, int[]> perPump = new LinkedHashMap<>();
    while (!stopRequested) {
      List<SourceBatch> batches;
      try {
        batches = source.pollAnalytics(settings.chunkSize());
      } catch (SourceUnavailableException e) {
        break; // the source logs outages once; the next cycle tries again
      }
      if (batches.isEmpty()) {
        break;
      }
      rounds++;
      List<AnalyticsRecord> decoded = new ArrayList<>();
      int elements = 0;
      for (SourceBatch b : batches) {
        elements += b.elements().size();
        decoded.addAll(keep(b.key(), decoder.decode(b.key(), b.elements())));
      }
      popped.increment(elements);
      undecodable += elements - decoded.size();
      records += decoded.size();
      for (WriteOutcome o : dispatcher.dispatch(decoded)) {
        int[] c = perPump.computeIfAbsent(o.pump(), k -> new int[3]);
        c[0] += o.accepted();
        c[1] += o.filtered();
        c[2] += o.deadLettered();
      }
      batches.forEach(SourceBatch::ack);
      if (records + undecodable >= settings.maxRecordsPerCycle()) {
        budgetHit = true;
        break;
      }
    }
    return new CycleReport(records, undecodable, rounds, 0, budgetHit, perPump, Duration.ZERO);
  }

  private int drainUptime() {
    int total = 0;
    while (!stopRequested && total < settings.maxRecordsPerCycle()) {
      Optional<SourceBatch> batch;
      try {
        batch = source.pollUptime(settings.chunkSize());
      } catch (SourceUnavailableException e) {
        break;
      }
      if (batch.isEmpty()) {
        break;
      }
      SourceBatch b = batch.get();
      List<UptimeRecord> records = keep(b.key(), uptimeDecoder.decode(b.key(), b.elements()));
      dispatcher.dispatchUptime(records);
      b.ack();
      total += b.elements().size();
    }
    return total;
  }

  /**
   * The decoded records; undecodable elements that could not be dead-lettered are lost here (they
   * were popped already), so they are counted and logged at ERROR.
   */
  private <T> List<T> keep(String key, BatchDecoder.Decoded<T> d) {
    if (!d.notDeadLettered().isEmpty()) {
      lost.increment(d.notDeadLettered().size());
      lossLog.error("lost:" + key, "LOST {} undecodable elements popped from {}: the dead-letter "
          + "store failed ({}); at_least_once would have kept them in Redis",
          d.notDeadLettered().size(), key, d.deadLetterFailure());
    }
    return d.records();
  }

  /**
   * Stops scheduling cycles and waits for the cycle in progress: it finishes the round it is in
   * (records already popped are delivered) and starts no new one.
   *
   * @return true when no cycle was left running at the deadline
   */
  public boolean stop(Deadline deadline) {
    requestStop();
    return awaitStopped(deadline);
  }

  /** Asks the loop to stop after the current round; returns at once. */
  public void requestStop() {
    stopRequested = true;
    scheduler.shutdown();
  }

  /**
   * Waits until no cycle is running (after {@link #requestStop()}).
   *
   * @return false when a cycle was still running at the deadline
   */
  public boolean awaitStopped(Deadline deadline) {
    try {
      if (cycleLock.tryLock(deadline.remaining().toNanos(), TimeUnit.NANOSECONDS)) {
        cycleLock.unlock();
        return true;
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      scheduler.shutdownNow();
    }
  }

  /**
   * What one cycle did, for its log line and for tests.
   *
   * @param records decoded request records dispatched
   * @param undecodable elements that could not be decoded (dead-lettered)
   * @param rounds pop rounds (each pops one chunk per non-empty key)
   * @param uptime uptime records drained
   * @param budgetHit the cycle stopped at {@code max_records_per_cycle} with more waiting
   * @param perPump per pump: {accepted, filtered, dead-lettered}
   * @param took the cycle's duration
   */
  public record CycleReport(
      int records,
      int undecodable,
      int rounds,
      int uptime,
      boolean budgetHit,
      Map<String, int[]> perPump,
      Duration took) {
    static final CycleReport EMPTY = new CycleReport(0, 0, 0, 0, false, Map.of(), Duration.ZERO);

    CycleReport withUptime(int n) {
      return new CycleReport(records, undecodable, rounds, n, budgetHit, perPump, took);
    }

    CycleReport withDuration(Duration d) {
      return new CycleReport(records, undecodable, rounds, uptime, budgetHit, perPump, d);
    }

    /** {@code Purged 2000 records (1 undecodable) in 3 rounds, 0 uptime, 85 ms: es=2000, ...}. */
    public String logLine() {
      String pumps = perPump.entrySet().stream()
          .map(e -> e.getKey() + "=" + e.getValue()[0]
              + (e.getValue()[1] > 0 ? " (" + e.getValue()[1] + " filtered)" : "")
              + (e.getValue()[2] > 0 ? " (" + e.getValue()[2] + " dead-lettered)" : ""))
          .collect(Collectors.joining(", "));
      return "Purged " + records + " records"
          + (undecodable > 0 ? " (" + undecodable + " undecodable, dead-lettered)" : "")
          + " in " + rounds + " rounds"
          + (uptime > 0 ? ", " + uptime + " uptime records" : "")
          + ", " + took.toMillis() + " ms"
          + (pumps.isEmpty() ? "" : ": " + pumps)
          + (budgetHit ? "; per-cycle budget reached, the rest follows next cycle" : "");
    }
  }
}
