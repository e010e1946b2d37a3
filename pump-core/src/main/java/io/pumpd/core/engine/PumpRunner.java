package io.pumpd.core.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.pumpd.core.deadletter.DeadLetterQueue;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.RetriablePumpException;
import io.pumpd.core.pump.UptimeCapable;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.UptimeRecord;
import io.pumpd.core.retry.Backoff;
import io.pumpd.core.retry.Retrier;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one {@link Pump} on its own thread ({@code pump-<name>}), so that pumps write in parallel
 * and calls into one pump never overlap (the {@link Pump} threading contract). It prepares each
 * batch with the pump's {@link RecordPreparer}, retries {@link RetriablePumpException} with backoff
 * within the pump's timeout, dead-letters what fails, and counts everything.
 *
 * <p>Two ways to hand over a batch, one per delivery guarantee:
 *
 * <ul>
 *   <li>{@link #write} ({@code at_most_once}): waits until the pump took the batch; whatever fails
 *       (permanent error, retriable error past the timeout, a failed delivery stage, a timeout) is
 *       dead-lettered, because the source has already forgotten the records.
 *   <li>{@link #deliver} ({@code at_least_once}): waits the same way, then returns a stage that
 *       completes when the batch is settled. Only permanent rejections are dead-lettered; a
 *       retriable failure, a timeout or a failed delivery stage yields an outcome that {@linkplain
 *       DeliveryOutcome#needsRetry() needs a retry}, and the caller keeps the source entry for
 *       redelivery.
 * </ul>
 *
 * <p>Thread-safe: {@link #write} / {@link #deliver} may be called from the purge or consumer
 * threads and {@link #flush} / {@link #close} from the shutdown thread. A write that outlasts the
 * pump's timeout is interrupted; in {@code at_most_once} its records are dead-lettered with the
 * reason "timed out" (some of them may have been delivered).
 */
public final class PumpRunner {
  private static final Logger LOG = LoggerFactory.getLogger(PumpRunner.class);

  private final String name;
  private final Pump pump;
  private final RecordPreparer preparer;
  private final Duration timeout;
  private final Duration slowWarning;
  private final DeadLetterQueue deadLetters;
  private final ExecutorService thread;
  private final Retrier retrier;

  private final AtomicLong pending = new AtomicLong();
  private final Counter offered;
  private final Counter filtered;
  private final Counter delivered;
  private final Counter failed;
  private final Counter retried;
  private final Timer writeTimer;

  /**
   * @param name the pump instance name
   * @param type the pump's Tyk type (metric tag)
   * @param pump an initialized pump
   * @param preparer the pump's record preparation
   * @param timeout the pump's {@code timeout}; zero means none (Tyk: wait for ever)
   * @param slowWarning a write still running after this long is logged (Tyk: {@code purge_delay})
   */
  public PumpRunner(
      String name,
      String type,
      Pump pump,
      RecordPreparer preparer,
      Duration timeout,
      Duration slowWarning,
      DeadLetterQueue deadLetters,
      MeterRegistry registry) {
    this.name = name;
    this.pump = pump;
    this.preparer = preparer;
    this.timeout = timeout;
    this.slowWarning = slowWarning;
    this.deadLetters = deadLetters;
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "pump-" + name);
      t.setDaemon(true);
      return t;
    });
    this.retrier = new Retrier(Backoff.DEFAULT, e -> e instanceof RetriablePumpException,
        "write to pump " + name);
    Tags tags = Tags.of("pump", name, "type", type);
    this.offered = registry.counter("pump.records.offered", tags);
    this.filtered = registry.counter("pump.records.filtered", tags);
    this.delivered = registry.counter("pump.records.delivered", tags);
    this.failed = registry.counter("pump.records.failed", tags);
    this.retried = registry.counter("pump.records.retried", tags);
    this.writeTimer = registry.timer("pump.write.duration", tags);
    registry.gauge("pump.records.pending", tags, pending);
  }

  public String name() {
    return name;
  }

  public Pump pump() {
    return pump;
  }

  /** Records handed to the pump whose delivery is not yet confirmed. */
  public long pending() {
    return pending.get();
  }

  /** Records delivered since start. */
  public long deliveredCount() {
    return (long) delivered.count();
  }

  /** Records dead-lettered since start. */
  public long failedCount() {
    return (long) failed.count();
  }

  public Optional<String> readiness() {
    return pump.readiness();
  }

  public boolean acceptsUptime() {
    return pump instanceof UptimeCapable;
  }

  /**
   * Writes a batch and waits (on the calling thread) until the pump took it, failed, or ran out of
   * its timeout. Never throws: every failure is dead-lettered and reported in the outcome.
   */
  public WriteOutcome write(List<AnalyticsRecord> batch) {
    long start = System.nanoTime();
    offered.increment(batch.size());
    List<AnalyticsRecord> records = preparer.prepare(batch);
    int dropped = batch.size() - records.size();
    filtered.increment(dropped);
    if (records.isEmpty()) {
      return new WriteOutcome(name, batch.size(), dropped, 0, 0, false, Duration.ZERO);
    }
    Deadline deadline = Deadline.after(timeout);
    AtomicBoolean settled = new AtomicBoolean(); // who dead-letters a failed batch: first one wins
    Future<?> task = thread.submit(() -> writeOnPumpThread(records, deadline, settled));
    int deadLettered = 0;
    boolean timedOut = false;
    try {
      await(task, deadline);
    } catch (TimeoutException e) {
      timedOut = true;
      if (settled.compareAndSet(false, true)) {
        LOG.warn("Timeout writing to pump {}: {} records not confirmed after {}; they are "
            + "dead-lettered (some may have been delivered)", name, records.size(), human(timeout));
        deadLettered = deadLetter(records, "timed out after " + human(timeout));
      }
      task.cancel(true);
    } catch (ExecutionException e) {
      deadLettered = records.size(); // writeOnPumpThread dead-letters before rethrowing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (settled.compareAndSet(false, true)) {
        deadLettered = deadLetter(records, "abandoned at shutdown");
      }
      task.cancel(true);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    writeTimer.record(took);
    int accepted = timedOut || deadLettered > 0 ? 0 : records.size();
    return new WriteOutcome(name, batch.size(), dropped, accepted, deadLettered, timedOut, took);
  }

  /**
   * {@code at_least_once}: hands a batch to the pump and waits (on the calling thread) until the pump
   * took it, failed, or ran out of its timeout, like {@link #write}; then returns a stage that
   * completes, never exceptionally, once the batch is settled or known to need a retry:
   *
   * <ul>
   *   <li>settled: every record delivered, filtered out, or permanently rejected (a {@link
   *       PumpException} that is not retriable, or {@link WriteResult#failures()}); rejected
   *       records are dead-lettered. The caller may acknowledge the source entry.
   *   <li>{@linkplain DeliveryOutcome#needsRetry() retry}: {@link RetriablePumpException} until the
   *       timeout, the timeout itself, a delivery stage completed exceptionally or with a
   *       {@linkplain WriteResult.RecordFailure#retriable() retriable} record failure, a delivery stage
   *       still open after {@code stallLimit}, or an interrupt. Nothing is dead-lettered; the
   *       caller offers the records again later (some of them may have been delivered, so a retry
   *       can duplicate). Such failures are logged at debug level only: the caller logs the state
   *       of its delivery (failing since, recovered).
   * </ul>
   *
   * @param stallLimit how long the delivery stage may stay open after the pump took the batch
   */
  public CompletableFuture<DeliveryOutcome> deliver(List<AnalyticsRecord> batch, Duration stallLimit) {
    long start = System.nanoTime();
    offered.increment(batch.size());
    List<AnalyticsRecord> records = preparer.prepare(batch);
    int dropped = batch.size() - records.size();
    filtered.increment(dropped);
    if (records.isEmpty()) {
      return CompletableFuture.completedFuture(
          DeliveryOutcome.settled(name, batch.size(), dropped, 0, 0));
    }
    Deadline deadline = Deadline.after(timeout);
    CompletableFuture<DeliveryOutcome> result = new CompletableFuture<>();
    Settling settling = new Settling(records, batch.size(), dropped, result);
    Future<?> task = thread.submit(() -> takeOnPumpThread(settling, deadline, stallLimit));
    try {
      await(task, deadline);
    } catch (TimeoutException e) {
      if (settling.retry("timed out after " + human(timeout))) {
        LOG.debug("Timeout writing to pump {}: {} records not taken after {}; they will be "
            + "delivered again", name, records.size(), human(timeout));
      }
      task.cancel(true);
    } catch (ExecutionException e) {
      settling.retry("pump failed: " + reason(e)); // takeOnPumpThread settles; this is a backstop
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      settling.retry("abandoned at shutdown");
      task.cancel(true);
    }
    writeTimer.record(Duration.ofNanos(System.nanoTime() - start));
    return result;
  }

  /** One at_least_once batch on its way to being settled; the first settlement wins. */
  private final class Settling {
    final List<AnalyticsRecord> records;
    final int offered;
    final int filtered;
    final CompletableFuture<DeliveryOutcome> result;
    final AtomicBoolean done = new AtomicBoolean();

    Settling(List<AnalyticsRecord> records, int offered, int filtered,
        CompletableFuture<DeliveryOutcome> result) {
      this.records = records;
      this.offered = offered;
      this.filtered = filtered;
      this.result = result;
    }

    /** Settles as "deliver again"; false when already settled. */
    boolean retry(String why) {
      if (!done.compareAndSet(false, true)) {
        return false;
      }
      retried.increment(records.size());
      result.complete(DeliveryOutcome.retry(name, offered, filtered, why));
      return true;
    }

    /** Settles as permanently rejected: every record dead-lettered. */
    boolean reject(String why) {
      if (!done.compareAndSet(false, true)) {
        return false;
      }
      int n = deadLetter(records, why);
      result.complete(DeliveryOutcome.settled(name, offered, filtered, 0, n));
      return true;
    }

    /**
     * Settles with the backend's answer; when some records were not delivered for now only, asks
     * for the whole batch again instead (its permanent failures are dead-lettered by the attempt
     * that settles it, so once).
     */
    void answer(WriteResult r) {
      if (r.anyRetriable()) {
        List<WriteResult.RecordFailure> forNow =
            r.failures().stream().filter(WriteResult.RecordFailure::retriable).toList();
        retry(forNow.size() + " of " + records.size() + " records not delivered for now: "
            + forNow.get(0).reason());
        return;
      }
      if (!done.compareAndSet(false, true)) {
        return;
      }
      delivered.increment(r.delivered());
      for (WriteResult.RecordFailure f : r.failures()) {
        deadLetters.rejected(name, f.record(), f.reason());
      }
      failed.increment(r.failures().size());
      if (!r.failures().isEmpty()) {
        LOG.warn("Pump {} rejected {} of {} records (dead-lettered); first reason: {}", name,
            r.failures().size(), records.size(), r.failures().get(0).reason());
      }
      result.complete(DeliveryOutcome.settled(
          name, offered, filtered, r.delivered(), r.failures().size()));
    }
  }

  private void takeOnPumpThread(Settling s, Deadline deadline, Duration stallLimit) {
    CompletionStage<WriteResult> stage;
    try {
      stage = retrier.call(() -> pump.write(s.records, deadline), deadline);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        s.retry("interrupted");
      } else if (e instanceof RetriablePumpException) {
        if (s.retry(reason(e))) {
          LOG.debug("Pump {} could not take {} records: {}; they will be delivered again", name,
              s.records.size(), reason(e));
        }
      } else if (s.reject(reason(e))) {
        LOG.warn("Error writing to pump {}: {}; {} records dead-lettered", name, reason(e),
            s.records.size());
      }
      return;
    }
    if (s.done.get()) {
      LOG.debug("Pump {} took a batch after its timeout; it will be delivered again anyway", name);
      return;
    }
    pending.addAndGet(s.records.size());
    CompletableFuture<WriteResult> f = stage.toCompletableFuture();
    if (!stallLimit.isZero() && !stallLimit.isNegative()) {
      f = f.copy().orTimeout(stallLimit.toNanos(), TimeUnit.NANOSECONDS);
    }
    f.whenComplete((result, error) -> {
      pending.addAndGet(-s.records.size());
      if (error == null) {
        s.answer(result);
      } else if (s.retry(error instanceof TimeoutException
          ? "delivery not confirmed within " + human(stallLimit)
          : "not delivered: " + reason(error))) {
        LOG.debug("Pump {} could not deliver {} records: {}; they will be delivered again", name,
            s.records.size(), reason(error));
      }
    });
  }

  private void await(Future<?> task, Deadline deadline)
      throws TimeoutException, ExecutionException, InterruptedException {
    long warnAfter = slowWarning.toNanos();
    if (warnAfter > 0 && deadline.remaining().toNanos() > warnAfter) {
      try {
        task.get(warnAfter, TimeUnit.NANOSECONDS);
        return;
      } catch (TimeoutException stillRunning) {
        LOG.warn("Pump {} is taking more time than purge_delay ({} s); {}", name,
            slowWarning.toSeconds(), timeout.isZero()
                ? "set a timeout for this pump" : "consider lowering its timeout");
      }
    }
    if (deadline.isUnbounded()) {
      task.get();
    } else {
      task.get(deadline.remaining().toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void writeOnPumpThread(
      List<AnalyticsRecord> records, Deadline deadline, AtomicBoolean settled) {
    CompletionStage<WriteResult> stage;
    try {
      stage = retrier.call(() -> pump.write(records, deadline), deadline);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      if (settled.compareAndSet(false, true)) {
        LOG.warn("Error writing to pump {}: {}; {} records dead-lettered", name, reason(e),
            records.size());
        deadLetter(records, reason(e));
        throw new IllegalStateException(e);
      }
      return; // the waiting thread gave up on this batch and dead-lettered it already
    }
    if (!settled.compareAndSet(false, true)) {
      LOG.debug("Pump {} took a batch after its timeout; it was dead-lettered already", name);
      return;
    }
    pending.addAndGet(records.size());
    stage.whenComplete((result, error) -> settle(records, result, error));
  }

  private void settle(List<AnalyticsRecord> records, WriteResult result, Throwable error) {
    pending.addAndGet(-records.size());
    if (error != null) {
      LOG.warn("Pump {} could not deliver {} records: {}; dead-lettered", name, records.size(),
          reason(error));
      deadLetter(records, "not delivered: " + reason(error));
      return;
    }
    delivered.increment(result.delivered());
    for (WriteResult.RecordFailure f : result.failures()) {
      deadLetters.rejected(name, f.record(), f.reason());
    }
    failed.increment(result.failures().size());
    if (!result.failures().isEmpty()) {
      LOG.warn("Pump {} rejected {} of {} records (dead-lettered); first reason: {}", name,
          result.failures().size(), records.size(), result.failures().get(0).reason());
    }
  }

  private int deadLetter(List<AnalyticsRecord> records, String reason) {
    for (AnalyticsRecord r : records) {
      deadLetters.rejected(name, r, reason);
    }
    failed.increment(records.size());
    return records.size();
  }

  /**
   * Writes uptime records when the pump is {@link UptimeCapable}; failures are dead-lettered.
   * Waits like {@link #write}.
   */
  public void writeUptime(List<UptimeRecord> records) {
    if (!(pump instanceof UptimeCapable uptime) || records.isEmpty()) {
      return;
    }
    Deadline deadline = Deadline.after(timeout);
    Future<?> task = thread.submit(() -> {
      try {
        uptime.writeUptime(records, deadline);
      } catch (PumpException e) {
        LOG.warn("Error writing uptime records to pump {}: {}", name, e.getMessage());
        records.forEach(r -> deadLetters.rejectedUptime(name, r, reason(e)));
      }
    });
    try {
      if (deadline.isUnbounded()) {
        task.get();
      } else {
        task.get(deadline.remaining().toNanos(), TimeUnit.NANOSECONDS);
      }
    } catch (TimeoutException | ExecutionException e) {
      task.cancel(true);
      records.forEach(r -> deadLetters.rejectedUptime(name, r, "uptime write failed: " + e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      task.cancel(true);
    }
  }

  /**
   * {@code at_least_once} uptime: writes like {@link #writeUptime} when the pump is {@link
   * UptimeCapable}, but a {@link RetriablePumpException}, a timeout or an interrupt asks for a retry
   * instead of dead-lettering. A permanent {@link PumpException} dead-letters the records.
   *
   * @return empty when settled (written, not uptime-capable, or dead-lettered); else why the
   *     records must be written again
   */
  public Optional<String> deliverUptime(List<UptimeRecord> records) {
    if (!(pump instanceof UptimeCapable uptime) || records.isEmpty()) {
      return Optional.empty();
    }
    Deadline deadline = Deadline.after(timeout);
    Future<Optional<String>> task = thread.submit(() -> {
      try {
        retrier.call(() -> {
          uptime.writeUptime(records, deadline);
          return null;
        }, deadline);
        return Optional.<String>empty();
      } catch (RetriablePumpException e) {
        return Optional.of(reason(e));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.of("interrupted");
      } catch (Exception e) {
        LOG.warn("Error writing uptime records to pump {}: {}; dead-lettered", name, reason(e));
        records.forEach(r -> deadLetters.rejectedUptime(name, r, reason(e)));
        return Optional.<String>empty();
      }
    });
    try {
      return deadline.isUnbounded()
          ? task.get()
          : task.get(deadline.remaining().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      task.cancel(true);
      return Optional.of("timed out after " + human(timeout));
    } catch (ExecutionException e) {
      return Optional.of(reason(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      task.cancel(true);
      return Optional.of("abandoned at shutdown");
    }
  }

  /**
   * Flushes the pump on its own thread (after any queued write), bounded by {@code deadline}.
   *
   * @return true when the flush completed in time without error
   */
  public boolean flush(Deadline deadline) {
    Future<?> task = thread.submit(() -> {
      pump.flush(deadline);
      return null;
    });
    try {
      task.get(deadline.remaining().toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      task.cancel(true);
      LOG.warn("Pump {}: flush did not finish before the shutdown deadline; {} records unconfirmed",
          name, pending());
      return false;
    } catch (ExecutionException e) {
      LOG.warn("Pump {}: flush failed: {}", name, reason(e.getCause()));
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Closes the pump (it must unblock a stuck write) and stops the thread. Idempotent. */
  public void close() {
    try {
      pump.close();
    } catch (RuntimeException e) {
      LOG.warn("Pump {}: error while closing: {}", name, e.toString());
    }
    thread.shutdownNow();
  }

  private static String human(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private static String reason(Throwable e) {
    Throwable t = e;
    while ((t instanceof ExecutionException || t instanceof java.util.concurrent.CompletionException
            || t instanceof IllegalStateException) && t.getCause() != null) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }
}
