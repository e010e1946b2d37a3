package io.pumpd.app.redis.stream;

import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pumpd.app.redis.RedisAvailability;
import io.pumpd.app.redis.RedisLink;
import io.pumpd.core.concurrent.Causes;
import io.pumpd.core.concurrent.FatalErrors;
import io.pumpd.core.concurrent.Threads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the gateway's records out of its lists for the pump, continuously and independently of
 * the sinks, so that records the pump has taken are never exposed to the gateway's 60-second TTL
 * and a slow sink never slows the draining. One round runs the {@code move.lua} script once per
 * list (pipelined): it renames the whole list to a pump-owned batch list (O(1), whatever its
 * length) and adds stream entries of up to {@code entryRecords} records referring to it. Rounds
 * follow each other every {@code idleInterval}.
 *
 * <p>Nothing is lost whatever happens to a round: the script is atomic, and a lost reply only
 * means the daemon does not know whether the move happened (both outcomes leave the records in
 * Redis).
 *
 * <p>Threading: its own thread {@code delivery-mover} between {@link #start} and {@link #stop}.
 * {@link #moveOnce()} is for tests and must not run concurrently with the thread.
 */
final class ChunkMover {
  private static final Logger LOG = LoggerFactory.getLogger(ChunkMover.class);

  private static final String ACTIVITY = "move records from the gateway lists";

  /** What one round moved. */
  record Round(long records, long bytes) {}

  private final RedisLink link;
  private final List<StreamKeys> streams;
  private final int entryRecords;
  private final Duration idleInterval;
  private final Duration replyTimeout;
  private final RedisAvailability availability;
  private final RedisRefusals refusals;
  private final Runnable onMoved;
  private final Counter moved;
  private final AtomicLong movedTotal = new AtomicLong();
  private final Object signal = new Object();
  private volatile boolean stopping;
  private Thread thread;

  /**
   * @param entryRecords most records per stream entry
   * @param idleInterval wait between rounds
   * @param replyTimeout how long to wait for a round's replies
   * @param onMoved called after a round that moved records (wakes the local consumers)
   */
  ChunkMover(RedisLink link, List<StreamKeys> streams, int entryRecords, Duration idleInterval,
      Duration replyTimeout, RedisAvailability availability, RedisRefusals refusals,
      Runnable onMoved, MeterRegistry meters) {
    this.refusals = refusals;
    this.link = link;
    this.streams = List.copyOf(streams);
    this.entryRecords = entryRecords;
    this.idleInterval = idleInterval;
    this.replyTimeout = replyTimeout;
    this.availability = availability;
    this.onMoved = onMoved;
    this.moved = meters.counter("pump.records.moved");
  }

  /** Records moved into streams by this daemon since start. */
  long movedTotal() {
    return movedTotal.get();
  }

  void start() {
    thread = Threads.start("delivery-mover", this::run);
  }

  /** Stops after the round in progress; waits up to {@code wait}; true when the thread ended. */
  boolean stop(Duration wait) {
    stopping = true;
    synchronized (signal) {
      signal.notifyAll();
    }
    if (thread == null) {
      return true;
    }
    try {
      thread.join(Math.max(1, wait.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return !thread.isAlive();
  }

  private void run() {
    int failures = 0;
    while (!stopping) {
      Duration pause = idleInterval;
      try {
        Round r = moveOnce();
        failures = 0;
        if (r.records() > 0) {
          onMoved.run();
        }
      } catch (RedisException | ExecutionException | TimeoutException e) {
        FatalErrors.check("delivery-mover", e);
        failures++;
        availability.down(Causes.unwrap(e));
        pause = Duration.ofMillis(Math.min(idleInterval.toMillis(), 100L << Math.min(failures, 6)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException | Error e) {
        FatalErrors.check("delivery-mover", e);
        LOG.error("Moving records into the delivery streams failed; retrying", e);
      }
      pause(pause);
    }
  }

  private void pause(Duration d) {
    synchronized (signal) {
      if (stopping) {
        return;
      }
      try {
        signal.wait(Math.max(1, d.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stopping = true;
      }
    }
  }

  /**
   * Moves one chunk from every list (pipelined) and waits for the replies.
   *
   * @throws ExecutionException a connection-level failure on every list (Redis unreachable);
   *     reply errors on single lists (e.g. {@code WRONGTYPE}) are logged once and skipped
   */
  Round moveOnce() throws ExecutionException, TimeoutException, InterruptedException {
    link.connect();
    List<CompletableFuture<List<Object>>> replies = new ArrayList<>(streams.size());
    for (StreamKeys k : streams) {
      try {
        replies.add(LuaScript.MOVE.run(link.commandsFor(k.list()), ScriptOutputType.MULTI,
            new String[] {k.list(), k.stream(), k.counters()}, LuaScript.arg(entryRecords)));
      } catch (RedisException e) { // e.g. the Cluster node of this key is unreachable
        replies.add(CompletableFuture.failedFuture(e));
      }
    }
    long deadline = System.nanoTime() + replyTimeout.toNanos();
    long records = 0;
    long bytes = 0;
    ExecutionException unreachable = null;
    int ok = 0;
    for (int i = 0; i < replies.size(); i++) {
      StreamKeys k = streams.get(i);
      try {
        List<Object> r = replies.get(i).get(
            Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        ok++;
        long n = (Long) r.get(0);
        records += n;
        bytes += (Long) r.get(1);
        refusals.accepted(ACTIVITY, k.list());
      } catch (ExecutionException | TimeoutException e) {
        Throwable cause = Causes.unwrap(e);
        if (RedisAvailability.answeredWithError(cause)) {
          ok++;
          refusals.refused(ACTIVITY, k.list(), String.valueOf(cause.getMessage()));
          link.onReplyError();
        } else {
          unreachable = e instanceof ExecutionException ee ? ee : new ExecutionException(e);
        }
      }
    }
    if (ok == 0 && unreachable != null) {
      throw unreachable;
    }
    availability.up();
    moved.increment(records);
    movedTotal.addAndGet(records);
    return new Round(records, bytes);
  }
}
