package io.pumpd.core.delivery;

import io.pumpd.core.concurrent.FatalErrors;
import io.pumpd.core.concurrent.Threads;
import io.pumpd.core.deadletter.DeadLetter;
import io.pumpd.core.engine.DeliveryOutcome;
import io.pumpd.core.engine.PumpRunner;
import io.pumpd.core.retry.Backoff;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pump's way through the engine: it holds the parts offered to the pump, hands them over one
 * at a time through the pump's {@link PumpRunner}, retries what the pump could not take, and tells
 * the engine when a part is settled (so that its batch can be acknowledged) or abandoned. The one
 * retry policy of the daemon lives here:
 *
 * <ul>
 *   <li>A part the pump could not take or deliver is retried with capped exponential backoff and
 *       jitter; while the pump fails, one part at a time probes it and the lane {@linkplain
 *       #wantsMore() wants nothing new}, so its backlog waits in the source, not in memory.
 *   <li>With a {@linkplain DeliverySource#durable() durable} source the retries go on until the
 *       pump delivers or the source drops the batch ({@link #gone}); nothing is dead-lettered for
 *       an outage. With a non-durable one (the records left the source when read) a part is
 *       retried within the pump's {@code timeout} (or {@link PumpRunner#ATTEMPT_WINDOW} when it
 *       has none) from its first attempt, then dead-lettered.
 *   <li>A part whose dead letters could not be written is retried writing only those; its batch
 *       is acknowledged once they are on disk (durable), or they are counted as lost (not).
 * </ul>
 *
 * <p><b>Back-pressure.</b> What the lane holds (queued, in flight, waiting for a retry) is counted
 * by the decoded heap of its parts; the engine offers it nothing new while that is at the lane's
 * budget.
 *
 * <p><b>Threading.</b> One thread ({@code deliver-<pump>}) hands parts over and runs the retry
 * state machine; delivery stages complete on the pump's threads and only enqueue their result.
 * {@link #offer}, {@link #gone}, {@link #wantsMore}, {@link #failing} are called from the engine's
 * thread (or any thread) and never block.
 */
final class Lane {
  private static final Logger LOG = LoggerFactory.getLogger(Lane.class);

  /**
   * @param maxInFlightBytes decoded heap held above which the lane takes nothing new
   * @param confirmTimeout how long a taken part may stay unconfirmed before it is retried
   * @param backoff delays between retries of a failing pump
   * @param durable whether the source keeps what is not acknowledged ({@link
   *     DeliverySource#durable()})
   * @param pollInterval longest wait of the idle lane thread (a safety net; it is woken)
   */
  record Settings(long maxInFlightBytes, Duration confirmTimeout, Backoff backoff,
      boolean durable, Duration pollInterval) {}

  /** Where the lane reports parts it is done with; called on the lane's thread. */
  interface Listener {
    /**
     * @param settled true when the pump is done with the part (delivered, filtered, dead-lettered);
     *     false when the lane let it go unsettled (its batch dropped, or stopping): then its batch
     *     must not be acknowledged for this lane
     */
    void done(Lane lane, Part part, boolean settled);
  }

  /** The result of one attempt; {@code retryReason} null means settled. */
  private record Result(Part part, String retryReason, List<DeadLetter> unwritten) {}

  private final PumpRunner runner;
  private final Settings settings;
  private final Listener listener;
  private final Object signal = new Object();
  private final ArrayDeque<Part> queue = new ArrayDeque<>(); // guarded by signal
  private boolean woken; // guarded by signal
  private final ConcurrentLinkedQueue<Result> results = new ConcurrentLinkedQueue<>();
  private final Set<SourceBatch> gone = ConcurrentHashMap.newKeySet();
  private final AtomicLong heldBytes = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Duration retryBudget;

  // lane-thread state
  private final ArrayDeque<Part> retries = new ArrayDeque<>();
  private int failureStreak;
  private Part probe;
  private long failingSinceNanos;
  private volatile long nextRetryNanos = System.nanoTime();
  private volatile String lastFailure;
  private volatile boolean failingNow;

  private volatile boolean stopping;
  private volatile long drainDeadlineNanos;
  private final CountDownLatch handingOver = new CountDownLatch(1);
  private final CountDownLatch ended = new CountDownLatch(1);
  private volatile Thread thread;

  Lane(PumpRunner runner, Settings settings, Listener listener) {
    this.runner = runner;
    this.settings = settings;
    this.listener = listener;
    this.retryBudget = runner.timeout().isZero() ? PumpRunner.ATTEMPT_WINDOW : runner.timeout();
  }

  String name() {
    return runner.name();
  }

  PumpRunner runner() {
    return runner;
  }

  /** The decoded heap this lane holds right now. */
  long heldBytes() {
    return heldBytes.get();
  }

  AtomicLong heldBytesGauge() {
    return heldBytes;
  }

  void start() {
    thread = Threads.start("deliver-" + name(), this::run);
  }

  /** Whether the lane has room under its budget. Any thread. */
  boolean hasRoom() {
    return heldBytes.get() < settings.maxInFlightBytes();
  }

  /**
   * Whether the engine should read new batches for this lane: it has room, and its pump delivers,
   * or fails with nothing held and a probe is due. With a durable source, a pump that is not
   * initialised wants nothing (its records wait in the source). Any thread; never blocks.
   */
  boolean wantsMore() {
    if (settings.durable() && !runner.isInitialised()) {
      return false;
    }
    if (!hasRoom()) {
      return false;
    }
    return !failingNow || (heldBytes.get() == 0 && System.nanoTime() - nextRetryNanos >= 0);
  }

  /** True while the pump fails (between a failure and the next success). Any thread. */
  boolean isFailing() {
    return failingNow;
  }

  /** {@code "<reason>"} while the pump fails to deliver; empty otherwise. Any thread. */
  Optional<String> failing() {
    return failingNow ? Optional.ofNullable(lastFailure) : Optional.empty();
  }

  /** Takes a part; it counts against the budget at once. Any thread; never blocks. */
  void offer(Part p) {
    heldBytes.addAndGet(p.heapBytes);
    synchronized (signal) {
      queue.addLast(p);
      woken = true;
      signal.notifyAll();
    }
  }

  /** The source no longer holds {@code batch} for this pump: its parts are let go, unsettled. */
  void gone(SourceBatch batch) {
    gone.add(batch);
    wake();
  }

  /** Forgets a batch the engine no longer tracks (so that the set of gone batches stays small). */
  void forget(SourceBatch batch) {
    gone.remove(batch);
  }

  void wake() {
    synchronized (signal) {
      woken = true;
      signal.notifyAll();
    }
  }

  /**
   * Stops: the parts queued are still handed over (with a durable source, only while the pump
   * delivers: a failing pump's are let go, left in the source); retries are let go (durable) or
   * dead-lettered at once (not durable). Parts in flight settle until {@code drainDeadlineNanos}.
   * Returns at once.
   */
  void requestStop(long drainDeadlineNanos) {
    this.drainDeadlineNanos = drainDeadlineNanos;
    stopping = true;
    wake();
  }

  /**
   * After {@link #requestStop}: waits until the lane hands nothing more to its pump, so that a
   * flush after it finds every batch in the pump's buffer.
   */
  boolean awaitHandoversEnded(long deadlineNanos) {
    return thread == null || await(handingOver, deadlineNanos);
  }

  /** After {@link #requestStop}: waits for the lane thread to end; interrupts it at the deadline. */
  boolean awaitEnded(long deadlineNanos) {
    if (thread == null || await(ended, deadlineNanos)) {
      return true;
    }
    if (thread != null) {
      thread.interrupt();
    }
    return await(ended, System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
  }

  private static boolean await(CountDownLatch latch, long deadlineNanos) {
    try {
      return latch.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  // ---- the lane thread ----

  private void run() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          processResults();
          if (stopping && stopStep()) {
            break;
          }
          Part p = next();
          if (p != null) {
            submit(p);
          } else {
            await(nextWait());
          }
        } catch (RuntimeException | Error e) {
          FatalErrors.check(Thread.currentThread().getName(), e);
          LOG.error("Delivery lane of pump {} failed; continuing", name(), e);
          await(settings.pollInterval());
        }
      }
    } finally {
      handingOver.countDown();
    }
    try {
      drain();
    } finally {
      ended.countDown();
    }
  }

  /**
   * One step of stopping: the queue is still handed over (what the engine offered before the stop
   * is delivered and flushed), unless the source is durable and the pump is failing (then it is
   * let go, left in the source); retries are let go (durable) or given up on (not durable).
   *
   * @return true when nothing is left to hand over
   */
  private boolean stopStep() {
    Part p;
    while ((p = retries.pollFirst()) != null) {
      if (settings.durable()) {
        abandon(p);
      } else {
        giveUp(p, lastFailure == null ? "abandoned at shutdown" : lastFailure);
      }
    }
    if (settings.durable() && failureStreak > 0) {
      List<Part> queued;
      synchronized (signal) {
        queued = new ArrayList<>(queue);
        queue.clear();
      }
      queued.forEach(this::abandon);
      return true;
    }
    synchronized (signal) {
      return queue.isEmpty();
    }
  }

  /** After the hand-overs ended: lets the parts in flight settle until the drain deadline. */
  private void drain() {
    boolean interrupted = Thread.currentThread().isInterrupted();
    while (!interrupted && inFlight.get() > 0 && System.nanoTime() - drainDeadlineNanos < 0) {
      processResults();
      synchronized (signal) {
        try {
          if (!woken && results.isEmpty()) {
            signal.wait(20);
          }
          woken = false;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    processResults();
    Part p;
    while ((p = retries.pollFirst()) != null) {
      abandon(p);
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** The next part to hand over, or null to wait. */
  private Part next() {
    long now = System.nanoTime();
    while (!retries.isEmpty()) {
      if (now - nextRetryNanos < 0) {
        return null; // nothing new overtakes a retry
      }
      Part p = retries.pollFirst();
      if (gone.contains(p.batch)) {
        abandon(p);
        continue;
      }
      probe = failureStreak > 0 ? p : null;
      if (failureStreak > 0) {
        // wait for this probe's result before sending the others
        nextRetryNanos = now + settings.backoff().ceiling(failureStreak + 1).toNanos();
      }
      return p;
    }
    if (failureStreak > 0 && !stopping && (inFlight.get() > 0 || now - nextRetryNanos < 0)) {
      return null; // failing: a new part probes the pump once the backoff allows
    }
    while (true) {
      Part p;
      synchronized (signal) {
        p = queue.pollFirst();
      }
      if (p == null) {
        return null;
      }
      if (gone.contains(p.batch)) {
        abandon(p);
        continue;
      }
      if (failureStreak > 0) {
        probe = p;
        nextRetryNanos = now + settings.backoff().ceiling(failureStreak + 1).toNanos();
      }
      return p;
    }
  }

  private Duration nextWait() {
    long wait = settings.pollInterval().toNanos();
    if (!retries.isEmpty() || failureStreak > 0) {
      wait = Math.min(wait, Math.max(0, nextRetryNanos - System.nanoTime()));
    }
    return Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), wait));
  }

  private void await(Duration d) {
    synchronized (signal) {
      if (!woken && results.isEmpty()) {
        try {
          signal.wait(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      woken = false;
    }
  }

  /** One attempt: blocks while the pump takes the part; the result is queued. */
  private void submit(Part p) {
    p.attempts++;
    if (p.attempts == 1) {
      p.firstAttemptNanos = System.nanoTime();
    }
    inFlight.incrementAndGet();
    if (p.recordsSettled || p.records.isEmpty()) {
      results.add(new Result(p, null, List.of())); // only dead letters to write, or nothing
      return;
    }
    if (!settings.durable() && !runner.isInitialised()) {
      runner.lostNotInitialised(p.records.size()); // the source forgot them: Tyk's behaviour
      results.add(new Result(p, null, List.of()));
      return;
    }
    p.kind().deliver(runner, p.records, settings.confirmTimeout(), p.attempts,
            settings.durable())
        .whenComplete((o, e) -> {
          results.add(e != null ? new Result(p, String.valueOf(e), List.of())
              : new Result(p, o.retryReason(), o.unwritten()));
          wake();
        });
  }

  // ---- settling ----

  private void processResults() {
    Result r;
    while ((r = results.poll()) != null) {
      inFlight.decrementAndGet();
      Part p = r.part();
      if (!r.unwritten().isEmpty()) {
        p.recordsSettled = true; // delivered or rejected; its dead letters wait for the store
        List<DeadLetter> all = new ArrayList<>(p.unwritten);
        all.addAll(r.unwritten());
        p.unwritten = all;
      } else if (r.retryReason() == null) {
        p.recordsSettled = true;
      }
      String failure = r.retryReason();
      if (p.recordsSettled && !p.unwritten.isEmpty()) {
        if (settings.durable()) {
          Optional<String> notWritten = runner.writeDeadLetters(p.unwritten);
          failure = notWritten.orElse(null);
          if (notWritten.isEmpty()) {
            p.unwritten = List.of();
          }
        } else {
          runner.deadLetterOrLose(p.unwritten); // counted as lost when the store fails again
          p.unwritten = List.of();
          failure = null;
        }
      }
      if (p.recordsSettled && failure == null) {
        settled(p);
      } else if (gone.contains(p.batch) || (stopping && settings.durable())) {
        abandon(p);
      } else if (!settings.durable() && (stopping
          || System.nanoTime() - p.firstAttemptNanos >= retryBudget.toNanos())) {
        giveUp(p, failure);
      } else {
        onFailure(p, failure);
      }
    }
  }

  private void settled(Part p) {
    if (failureStreak > 0 && p.attempts > 0) {
      LOG.info("Pump {} delivers again after {} s; {} held parts follow now", name(),
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - failingSinceNanos), retries.size());
      failureStreak = 0;
      failingNow = false;
      nextRetryNanos = System.nanoTime();
    }
    release(p);
    listener.done(this, p, true);
  }

  /** Lets a part go unsettled: its batch is not acknowledged for this lane. */
  private void abandon(Part p) {
    release(p);
    listener.done(this, p, false);
  }

  /** Non-durable source, out of time: the part's records are dead-lettered and it is settled. */
  private void giveUp(Part p, String reason) {
    if (!p.recordsSettled) {
      LOG.warn("Pump {} could not deliver {} records within {} s: {}; dead-lettered", name(),
          p.records.size(), retryBudget.toSeconds(), reason);
      runner.deadLetterOrLose(p.kind().deadLetters(name(), p.records, "not delivered: " + reason));
    }
    release(p);
    listener.done(this, p, true);
  }

  private void onFailure(Part p, String reason) {
    lastFailure = reason;
    if (failureStreak == 0) {
      failingSinceNanos = System.nanoTime();
      LOG.warn("Pump {} cannot deliver: {}; {}", name(), reason, settings.durable()
          ? "its records stay in the source and are retried with backoff (nothing new is read "
              + "for it meanwhile)"
          : "retried with backoff for up to " + retryBudget.toSeconds()
              + " s (its timeout), then dead-lettered");
    }
    if (failureStreak == 0 || p == probe) {
      failureStreak++; // the other parts that were in flight fail for the same reason
    }
    failingNow = true;
    nextRetryNanos = System.nanoTime() + settings.backoff().delay(failureStreak).toNanos();
    retries.addLast(p);
  }

  /** Gives back a part's share of the budget (once). */
  private void release(Part p) {
    if (!p.released) {
      p.released = true;
      heldBytes.addAndGet(-p.heapBytes);
    }
  }
}
