package io.pumpd.core.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.pumpd.core.concurrent.FatalErrors;
import io.pumpd.core.concurrent.Threads;
import io.pumpd.core.deadletter.DeadLetter;
import io.pumpd.core.deadletter.DeadLetterException;
import io.pumpd.core.deadletter.DeadLetterQueue;
import io.pumpd.core.deadletter.RateLimitedLogger;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.RetriablePumpException;
import io.pumpd.core.pump.UptimeCapable;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.UptimeRecord;
import io.pumpd.core.retry.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
 * within the pump's timeout, isolates the records a pump fails on, dead-letters what fails for
 * good, and counts everything.
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
 * <p><b>One bad record never sinks a batch.</b> Sinks report records they reject one by one
 * ({@link WriteResult#failures()}), and a {@link PumpException} rejects the whole batch (the sink
 * says so: a 401, a closed pump). When {@code write} throws anything else (a runtime exception,
 * an error other than a {@linkplain FatalErrors fatal} one: a bug or a surprise in the sink) for a
 * batch of several records, the batch is split in halves and each half written again, down to
 * single records, so that only the records the pump fails on are set aside; the others are
 * delivered. Such a record is dead-lettered as a poison record when the sink answered for other
 * records of the same batch, or after it failed {@value #POISON_ATTEMPTS} attempts in a row
 * ({@code at_least_once}); before that the batch is retried, so that an outage the sink did not
 * report as such still retries.
 *
 * <p><b>Dead letters are never fire-and-forget.</b> In {@code at_least_once}, a batch whose dead
 * letters cannot be written is not settled: its outcome carries them ({@link
 * DeliveryOutcome#unwritten()}) and the caller keeps the source entry until {@link
 * #writeDeadLetters} succeeds. In {@code at_most_once} the records are counted as lost ({@code
 * pump.records.lost{reason="deadletter_failed"}}) and logged at ERROR.
 *
 * <p><b>A pump that is not initialised</b> ({@link #initialised}, for a pump whose {@code init}
 * failed at start and is retried in the background) takes nothing: {@code deliver} asks for a
 * retry and {@code write} counts the records as lost for this pump.
 *
 * <p>Thread-safe: {@link #write} / {@link #deliver} may be called from the purge or consumer
 * threads and {@link #flush} / {@link #close} from the shutdown thread. A write that outlasts the
 * pump's timeout is interrupted; in {@code at_most_once} its records are dead-lettered with the
 * reason "timed out" (some of them may have been delivered).
 */
public final class PumpRunner {
  private static final Logger LOG = LoggerFactory.getLogger(PumpRunner.class);

  /** Attempts after which a record the pump keeps failing on unexpectedly is dead-lettered. */
  public static final int POISON_ATTEMPTS = 3;

  /**
   * How long one {@code at_least_once} attempt may take when the pump has no {@code timeout}:
   * after it the batch is handed back for the delivery's own retry with backoff (its source entry
   * stays in Redis), so that a sink that fails for good neither holds its consumer for ever nor
   * stalls the shutdown. {@code at_most_once} keeps Tyk's wait without limit.
   */
  public static final Duration ATTEMPT_WINDOW = Duration.ofSeconds(10);

  private final String name;
  private volatile Pump pump;
  private volatile String notInitialised;
  private final boolean acceptsUptime;
  private final RecordPreparer preparer;
  private final Duration timeout;
  private final Duration slowWarning;
  private final DeadLetterQueue deadLetters;
  private final ExecutorService thread;
  private final PumpHealth health;
  private final RateLimitedLogger lossLog = new RateLimitedLogger(LOG, Duration.ofSeconds(10));

  private final AtomicLong pending = new AtomicLong();
  private final Counter offered;
  private final Counter filtered;
  private final Counter delivered;
  private final Counter failed;
  private final Counter retried;
  private final Counter lostDeadLetters;
  private final Counter lostNotInitialised;
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
    this(name, type, pump, pump instanceof UptimeCapable, preparer, timeout, slowWarning,
        deadLetters, registry);
  }

  /**
   * A runner whose pump may not be initialised yet.
   *
   * @param pump the initialised pump, or null until {@link #initialised} gives it
   * @param acceptsUptime whether the pump type takes uptime records (known before it is
   *     initialised, so that its share of the uptime key is kept meanwhile)
   */
  public PumpRunner(
      String name,
      String type,
      Pump pump,
      boolean acceptsUptime,
      RecordPreparer preparer,
      Duration timeout,
      Duration slowWarning,
      DeadLetterQueue deadLetters,
      MeterRegistry registry) {
    this.name = name;
    this.pump = pump;
    this.notInitialised = pump == null ? "not initialised yet" : null;
    this.acceptsUptime = acceptsUptime;
    this.preparer = preparer;
    this.timeout = timeout;
    this.slowWarning = slowWarning;
    this.deadLetters = deadLetters;
    this.thread = Executors.newSingleThreadExecutor(Threads.factory("pump-" + name));
    Tags tags = Tags.of("pump", name, "type", type);
    this.health = new PumpHealth(name, tags, registry);
    this.offered = registry.counter("pump.records.offered", tags);
    this.filtered = registry.counter("pump.records.filtered", tags);
    this.delivered = registry.counter("pump.records.delivered", tags);
    this.failed = registry.counter("pump.records.failed", tags);
    this.retried = registry.counter("pump.records.retried", tags);
    this.lostDeadLetters = registry.counter("pump.records.lost",
        tags.and("reason", "deadletter_failed"));
    this.lostNotInitialised = registry.counter("pump.records.lost",
        tags.and("reason", "not_initialised"));
    this.writeTimer = registry.timer("pump.write.duration", tags);
    registry.gauge("pump.records.pending", tags, pending);
  }

  public String name() {
    return name;
  }

  /** The pump's {@code timeout}; zero when it has none. */
  public Duration timeout() {
    return timeout;
  }

  /**
   * Counts {@code n} records the pump never saw because it was not initialised when a
   * non-durable source handed them out ({@code pump.records.lost{reason="not_initialised"}}).
   */
  public void lostNotInitialised(int n) {
    offered.increment(n);
    lostNotInitialised.increment(n);
    lossLog.warn("not-initialised", "Pump {} is not initialised ({}): {} records not delivered "
        + "to it (at_most_once; at_least_once keeps them)", name, notInitialised, n);
  }

  /** The pump, or null while it is not initialised. */
  public Pump pump() {
    return pump;
  }

  /** Hands over the pump once its {@code init} succeeded. */
  public void initialised(Pump p) {
    pump = p;
    notInitialised = null;
  }

  /** Records why {@code init} failed (the pump stays not initialised). */
  public void initFailed(String reason) {
    if (pump == null) {
      notInitialised = reason;
    }
  }

  /** True once the pump is initialised. */
  public boolean isInitialised() {
    return pump != null;
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

  /**
   * Why the pump cannot deliver right now, for readiness: not initialised, or the pump's own
   * readiness; empty when ready. Failing writes are reported by {@link #failing()}.
   */
  public Optional<String> readiness() {
    Pump p = pump;
    if (p == null) {
      return Optional.of("not initialised: " + notInitialised + " (retrying)");
    }
    return p.readiness();
  }

  /** {@code "failing for N s: <reason>"} while the pump's writes fail; empty otherwise. */
  public Optional<String> failing() {
    return health.failing();
  }

  public boolean acceptsUptime() {
    return acceptsUptime;
  }

  /**
   * For records a non-durable source forgot already: writes {@code entries} to the dead-letter
   * store; when that fails they are gone, so they are counted as lost and logged at ERROR.
   *
   * @return how many were dead-lettered
   */
  public int deadLetterOrLose(List<DeadLetter> entries) {
    if (entries.isEmpty()) {
      return 0;
    }
    try {
      deadLetters.write(entries);
      failed.increment(entries.size());
      return entries.size();
    } catch (DeadLetterException e) {
      lostDeadLetters.increment(entries.size());
      lossLog.error("lost", "LOST {} records of pump {}: they could not be delivered ({}) and "
          + "could not be dead-lettered: {}", entries.size(), name, entries.get(0).reason(),
          e.getMessage());
      return 0;
    }
  }

  // ---- at_least_once ----

  /** {@link #deliver(List, Duration, int, boolean)}: a first attempt, redeliverable. */
  public CompletableFuture<DeliveryOutcome> deliver(List<AnalyticsRecord> batch, Duration stallLimit) {
    return deliver(batch, stallLimit, 1, true);
  }

  /**
   * {@code at_least_once}: hands a batch to the pump and waits (on the calling thread) until the pump
   * took it, failed, or ran out of its timeout, like {@link #write}; then returns a stage that
   * completes, never exceptionally, once the batch is settled or known to need a retry:
   *
   * <ul>
   *   <li>settled: every record delivered, filtered out, or permanently rejected (a {@link
   *       PumpException}, a {@linkplain WriteResult#failures() record failure}, or a poison record,
   *       see the class comment); rejected records are dead-lettered. The caller may acknowledge
   *       the source entry.
   *   <li>{@linkplain DeliveryOutcome#needsRetry() retry}: {@link RetriablePumpException} until the
   *       timeout, the timeout itself, a delivery stage completed exceptionally or with a
   *       {@linkplain WriteResult.RecordFailure#retriable() retriable} record failure, a delivery
   *       stage still open after {@code stallLimit}, an unexpected failure of every record before
   *       the poison limit, an interrupt, or the pump not initialised. Nothing is dead-lettered;
   *       the caller offers the records again later (some of them may have been delivered, so a
   *       retry can duplicate). Logged at debug level only: the caller logs the state of its
   *       delivery (failing since, recovered).
   *   <li>settled but not acknowledgeable: the dead letters could not be written ({@link
   *       DeliveryOutcome#unwritten()} not empty, with a retry reason); the caller keeps the source
   *       entry and retries them with {@link #writeDeadLetters} (not the delivery).
   * </ul>
   *
   * <p>When the records are not {@code redeliverable} (the source forgot them: {@code
   * at_most_once}), offering them again is only safe while the pump has not taken them: a retry
   * is asked for only when {@code write} threw before taking the batch (or the pump is not
   * initialised); anything after that (a failed or stalled delivery stage, a timeout, records not
   * delivered for now) dead-letters what was not delivered and settles, as Tyk would lose it.
   *
   * @param stallLimit how long the delivery stage may stay open after the pump took the batch
   * @param attempt 1 for the first attempt of these records, 2 for the next, ...
   * @param redeliverable whether the source keeps the records until they are acknowledged
   */
  public CompletableFuture<DeliveryOutcome> deliver(List<AnalyticsRecord> batch, Duration stallLimit,
      int attempt, boolean redeliverable) {
    long start = System.nanoTime();
    if (pump == null) {
      return CompletableFuture.completedFuture(DeliveryOutcome.retry(name, batch.size(), 0,
          "not initialised: " + notInitialised));
    }
    offered.increment(batch.size());
    List<AnalyticsRecord> records = preparer.prepare(batch);
    int dropped = batch.size() - records.size();
    filtered.increment(dropped);
    if (records.isEmpty()) {
      return CompletableFuture.completedFuture(
          DeliveryOutcome.settled(name, batch.size(), dropped, 0, 0));
    }
    Deadline deadline = attemptDeadline();
    CompletableFuture<DeliveryOutcome> result = new CompletableFuture<>();
    Settling settling =
        new Settling(records, batch.size(), dropped, attempt, redeliverable, result);
    Future<?> task = thread.submit(() -> takeOnPumpThread(settling, deadline, stallLimit));
    try {
      await(task, deadline);
    } catch (TimeoutException e) {
      settling.taken = true; // still inside write: some records may have gone through
      if (settling.retry("timed out after "
          + human(timeout.isZero() ? ATTEMPT_WINDOW : timeout))) {
        LOG.debug("Timeout writing to pump {}: {} records not taken after {}; they will be "
            + "delivered again", name, records.size(), human(timeout));
      }
      task.cancel(true);
    } catch (ExecutionException e) {
      FatalErrors.check("pump-" + name, e);
      settling.retry("pump failed: " + reason(e)); // takeOnPumpThread settles; this is a backstop
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      settling.taken = true;
      settling.retry("abandoned at shutdown");
      task.cancel(true);
    }
    writeTimer.record(Duration.ofNanos(System.nanoTime() - start));
    return result;
  }

  /**
   * Writes dead letters that an earlier {@link #deliver} could not ({@link
   * DeliveryOutcome#unwritten()}), or undecodable elements of this pump's batch whose first write
   * failed; rejected records are counted as failed records of this pump once written.
   *
   * @return empty when written; else why not
   */
  public Optional<String> writeDeadLetters(List<DeadLetter> entries) {
    try {
      deadLetters.write(entries);
      failed.increment(entries.stream().filter(e -> !(e instanceof DeadLetter.Undecodable)).count());
      return Optional.empty();
    } catch (DeadLetterException e) {
      return Optional.of("dead-letter store failed: " + e.getMessage());
    }
  }

  /** One at_least_once batch on its way to being settled; the first settlement wins. */
  private final class Settling {
    final List<AnalyticsRecord> records;
    final int offered;
    final int filtered;
    final int attempt;
    final boolean redeliverable;
    final CompletableFuture<DeliveryOutcome> result;
    final AtomicBoolean done = new AtomicBoolean();
    /** The pump took the batch (or may have: its write outlasted the deadline). */
    volatile boolean taken;

    Settling(List<AnalyticsRecord> records, int offered, int filtered, int attempt,
        boolean redeliverable, CompletableFuture<DeliveryOutcome> result) {
      this.records = records;
      this.offered = offered;
      this.filtered = filtered;
      this.attempt = attempt;
      this.redeliverable = redeliverable;
      this.result = result;
    }

    /**
     * Settles as "deliver again"; false when already settled. Records that are not redeliverable
     * and that the pump took are dead-lettered instead (settled).
     */
    boolean retry(String why) {
      if (!redeliverable && taken) {
        if (!done.compareAndSet(false, true)) {
          return false;
        }
        LOG.warn("Pump {}: {} records not confirmed ({}); dead-lettered (some may have been "
            + "delivered)", name, records.size(), why);
        List<DeadLetter> rejected = rejections(records, why);
        Optional<String> notWritten = writeDeadLetters(rejected);
        result.complete(notWritten.isEmpty()
            ? DeliveryOutcome.settled(name, offered, filtered, 0, rejected.size())
            : DeliveryOutcome.deadLettersPending(name, offered, filtered, 0, rejected,
                notWritten.get()));
        return true;
      }
      if (!done.compareAndSet(false, true)) {
        return false;
      }
      retried.increment(records.size());
      result.complete(DeliveryOutcome.retry(name, offered, filtered, why));
      return true;
    }

    /**
     * Settles with the backend's answer and the records the pump threw on; when some records
     * were not delivered for now only, or every record failed unexpectedly before the poison
     * limit, asks for the whole batch again instead (its permanent failures are dead-lettered by
     * the attempt that settles it, so once).
     */
    void answer(WriteResult r, List<Thrown> thrown) {
      answer(r, thrown, List.of());
    }

    /** As above, with records the pump rejected as a whole batch ({@link PumpException}). */
    void answer(WriteResult r, List<Thrown> thrown, List<DeadLetter> rejectedBatch) {
      if (r.anyRetriable() && redeliverable) {
        List<WriteResult.RecordFailure> forNow =
            r.failures().stream().filter(WriteResult.RecordFailure::retriable).toList();
        retry(forNow.size() + " of " + records.size() + " records not delivered for now: "
            + forNow.get(0).reason());
        return;
      }
      boolean sinkAnswered = r.delivered() > 0 || !r.failures().isEmpty() || !rejectedBatch.isEmpty();
      Optional<Thrown> unexpected = thrown.stream().findFirst();
      if (unexpected.isPresent() && !sinkAnswered && attempt < POISON_ATTEMPTS) {
        if (retry("pump failed on every record: " + reason(unexpected.get().error())
            + " (attempt " + attempt + " of " + POISON_ATTEMPTS + " before such records are "
            + "dead-lettered)")) {
          health.failed(reason(unexpected.get().error()));
        }
        return;
      }
      if (!done.compareAndSet(false, true)) {
        return;
      }
      delivered.increment(r.delivered());
      if (r.delivered() > 0) {
        health.succeeded();
      }
      List<DeadLetter> rejected = new ArrayList<>(rejections(r, thrown));
      rejected.addAll(rejectedBatch);
      if (rejected.isEmpty()) {
        result.complete(DeliveryOutcome.settled(name, offered, filtered, r.delivered(), 0));
        return;
      }
      if (rejectedBatch.isEmpty()) {
        LOG.warn("Pump {} rejected {} of {} records (dead-lettered); first reason: {}", name,
            rejected.size(), records.size(), rejected.get(0).reason());
      }
      Optional<String> notWritten = writeDeadLetters(rejected);
      result.complete(notWritten.isEmpty()
          ? DeliveryOutcome.settled(name, offered, filtered, r.delivered(), rejected.size())
          : DeliveryOutcome.deadLettersPending(name, offered, filtered, r.delivered(), rejected,
              notWritten.get()));
    }
  }

  private void takeOnPumpThread(Settling s, Deadline deadline, Duration stallLimit) {
    Attempted a;
    try {
      a = attempt(s.records, deadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      s.retry("interrupted");
      return;
    } catch (PumpException e) {
      if (!(e instanceof RetriablePumpException)) {
        LOG.warn("Error writing to pump {}: {}; {} records dead-lettered", name, reason(e),
            s.records.size());
        s.answer(new WriteResult(0, List.of()), List.of(), rejections(s.records, reason(e)));
        return;
      }
      health.failed(reason(e));
      if (s.retry(reason(e))) {
        LOG.debug("Pump {} could not take {} records: {}; they will be delivered again", name,
            s.records.size(), reason(e));
      }
      return;
    } catch (Exception e) {
      if (s.retry(reason(e))) {
        LOG.debug("Pump {} could not take {} records: {}; they will be delivered again", name,
            s.records.size(), reason(e));
      }
      return;
    }
    s.taken = true;
    if (s.done.get()) {
      LOG.debug("Pump {} took a batch after its timeout; it will be delivered again anyway", name);
      return;
    }
    pending.addAndGet(s.records.size());
    CompletableFuture<WriteResult> f = a.stage().toCompletableFuture();
    if (!stallLimit.isZero() && !stallLimit.isNegative()) {
      f = f.copy().orTimeout(stallLimit.toNanos(), TimeUnit.NANOSECONDS);
    }
    f.whenComplete((result, error) -> {
      pending.addAndGet(-s.records.size());
      if (error == null) {
        s.answer(result, a.thrown());
        return;
      }
      FatalErrors.check("pump-" + name, error);
      if (s.retry(error instanceof TimeoutException
          ? "delivery not confirmed within " + human(stallLimit)
          : "not delivered: " + reason(error))) {
        LOG.debug("Pump {} could not deliver {} records: {}; they will be delivered again", name,
            s.records.size(), reason(error));
      }
    });
  }

  /** The deadline of one at_least_once attempt: the pump's timeout, or {@link #ATTEMPT_WINDOW}. */
  private Deadline attemptDeadline() {
    return Deadline.after(timeout.isZero() ? ATTEMPT_WINDOW : timeout);
  }

  // ---- isolation of the records a pump fails on ----

  /** A record whose single-record write threw something else than a {@link PumpException}. */
  private record Thrown(AnalyticsRecord record, Throwable error) {}

  /** What one hand-over produced: the stage of what the pump took, and what it threw on. */
  private record Attempted(CompletionStage<WriteResult> stage, List<Thrown> thrown) {}

  /**
   * Writes {@code records} (on the pump thread), retrying {@link RetriablePumpException} with
   * backoff until {@code deadline} and splitting the batch to isolate the records it throws
   * anything unexpected on.
   *
   * @throws RetriablePumpException out of time while the pump could not take records for now
   * @throws PumpException the pump rejected the batch for good
   * @throws InterruptedException interrupted (timeout or shutdown)
   */
  private Attempted attempt(List<AnalyticsRecord> records, Deadline deadline) throws Exception {
    List<CompletionStage<WriteResult>> stages = new ArrayList<>(1);
    List<Thrown> thrown = new ArrayList<>(0);
    isolate(records, deadline, stages, thrown);
    return new Attempted(combine(stages), thrown);
  }

  private void isolate(List<AnalyticsRecord> records, Deadline deadline,
      List<CompletionStage<WriteResult>> stages, List<Thrown> thrown) throws Exception {
    Pump p = pump;
    try {
      stages.add(p.write(records, deadline));
      return;
    } catch (PumpException e) {
      throw e;
    } catch (RuntimeException | Error e) {
      FatalErrors.check("pump-" + name, e);
      if (records.size() == 1) {
        thrown.add(new Thrown(records.get(0), e));
        return;
      }
      LOG.debug("Pump {} failed on a batch of {} records ({}); writing its halves to isolate the "
          + "records it fails on", name, records.size(), e.toString());
    }
    int mid = records.size() / 2;
    isolate(records.subList(0, mid), deadline, stages, thrown);
    isolate(records.subList(mid, records.size()), deadline, stages, thrown);
  }

  /** One stage for the results of several writes: delivered counts added, failures joined. */
  private static CompletionStage<WriteResult> combine(List<CompletionStage<WriteResult>> stages) {
    if (stages.size() == 1) {
      return stages.get(0);
    }
    List<CompletableFuture<WriteResult>> all =
        stages.stream().map(CompletionStage::toCompletableFuture).toList();
    return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
      int n = 0;
      List<WriteResult.RecordFailure> failures = new ArrayList<>();
      for (CompletableFuture<WriteResult> f : all) {
        WriteResult r = f.join();
        n += r.delivered();
        failures.addAll(r.failures());
      }
      return new WriteResult(n, failures);
    });
  }

  /** The dead letters for a settled result: the backend's failures and the records thrown on. */
  private List<DeadLetter> rejections(WriteResult r, List<Thrown> thrown) {
    List<DeadLetter> out = new ArrayList<>(r.failures().size() + thrown.size());
    for (WriteResult.RecordFailure f : r.failures()) {
      out.add(new DeadLetter.Rejected(name, f.record(), f.reason()));
    }
    for (Thrown t : thrown) {
      out.add(new DeadLetter.Rejected(name, t.record(), "pump failed on this record: " + t.error()));
    }
    return out;
  }

  private List<DeadLetter> rejections(List<AnalyticsRecord> records, String reason) {
    List<DeadLetter> out = new ArrayList<>(records.size());
    for (AnalyticsRecord r : records) {
      out.add(new DeadLetter.Rejected(name, r, reason));
    }
    return out;
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

  // ---- uptime ----

  /**
   * Uptime records, when the pump takes them ({@link UptimeCapable}): written synchronously on
   * the pump's thread, with {@link #deliver}'s rules: a {@link RetriablePumpException} (not
   * taken) or a pump not initialised asks for a retry; a permanent failure dead-letters the
   * records; a timeout or an interrupt asks for a retry when {@code redeliverable}, else
   * dead-letters them. A pump that does not take uptime records settles them at once.
   */
  public DeliveryOutcome deliverUptime(List<UptimeRecord> records, boolean redeliverable) {
    int n = records.size();
    if (!acceptsUptime || records.isEmpty()) {
      return DeliveryOutcome.settled(name, n, n, 0, 0);
    }
    if (!(pump instanceof UptimeCapable uptime)) {
      return DeliveryOutcome.retry(name, n, 0, "not initialised: " + notInitialised);
    }
    Deadline deadline = attemptDeadline();
    Future<DeliveryOutcome> task = thread.submit(() -> {
      try {
        uptime.writeUptime(records, deadline);
        health.succeeded();
        return DeliveryOutcome.settled(name, n, 0, n, 0);
      } catch (RetriablePumpException e) {
        health.failed(reason(e));
        return DeliveryOutcome.retry(name, n, 0, reason(e));
      } catch (PumpException | RuntimeException e) {
        if (Thread.currentThread().isInterrupted()) {
          return uptimeFailed(records, "interrupted", redeliverable);
        }
        LOG.warn("Error writing uptime records to pump {}: {}; dead-lettered", name, reason(e));
        return uptimeFailed(records, reason(e), false);
      }
    });
    try {
      return deadline.isUnbounded()
          ? task.get()
          : task.get(deadline.remaining().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      task.cancel(true);
      return uptimeFailed(records,
          "timed out after " + human(timeout.isZero() ? ATTEMPT_WINDOW : timeout), redeliverable);
    } catch (ExecutionException e) {
      FatalErrors.check("pump-" + name, e);
      return uptimeFailed(records, reason(e), redeliverable);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      task.cancel(true);
      return uptimeFailed(records, "abandoned at shutdown", redeliverable);
    }
  }

  /** A retry when {@code retry}, else the records dead-lettered (pending if that fails). */
  private DeliveryOutcome uptimeFailed(List<UptimeRecord> records, String reason, boolean retry) {
    int n = records.size();
    if (retry) {
      return DeliveryOutcome.retry(name, n, 0, reason);
    }
    List<DeadLetter> rejected = uptimeRejections(records, reason);
    return writeDeadLetters(rejected)
        .map(why -> DeliveryOutcome.deadLettersPending(name, n, 0, 0, rejected, why))
        .orElseGet(() -> DeliveryOutcome.settled(name, n, 0, 0, n));
  }

  private List<DeadLetter> uptimeRejections(List<UptimeRecord> records, String reason) {
    List<DeadLetter> out = new ArrayList<>(records.size());
    for (UptimeRecord r : records) {
      out.add(new DeadLetter.RejectedUptime(name, r, reason));
    }
    return out;
  }

  // ---- shutdown ----

  /**
   * Flushes the pump on its own thread (after any queued write), bounded by {@code deadline}.
   *
   * @return true when the flush completed in time without error (or there is no pump to flush)
   */
  public boolean flush(Deadline deadline) {
    Pump p = pump;
    if (p == null) {
      return true;
    }
    Future<?> task = thread.submit(() -> {
      p.flush(deadline);
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
      FatalErrors.check("pump-" + name, e);
      LOG.warn("Pump {}: flush failed: {}", name, reason(e.getCause()));
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Closes the pump (it must unblock a stuck write) and stops the thread. Idempotent. */
  public void close() {
    Pump p = pump;
    try {
      if (p != null) {
        p.close();
      }
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
    while ((t instanceof ExecutionException || t instanceof CompletionException
            || t instanceof IllegalStateException) && t.getCause() != null) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }
}
