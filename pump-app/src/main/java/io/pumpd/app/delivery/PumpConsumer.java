package io.pumpd.app.delivery;

import io.lettuce.core.Consumer;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.pumpd.app.redis.RedisAvailability;
import io.pumpd.app.redis.RedisLink;
import io.pumpd.core.engine.DeliveryOutcome;
import io.pumpd.core.engine.PumpRunner;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.UptimeRecord;
import io.pumpd.core.retry.Backoff;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the pump-owned streams to ONE pump, as a member of that pump's consumer group (the
 * group is named after the pump; the consumer after this daemon): reads entries ({@code
 * XREADGROUP}), fetches the records they refer to from their batch lists ({@code LRANGE}), decodes
 * them, hands them to the pump through its {@link PumpRunner} and
 * acknowledges an entry ({@code XACK}) only once the pump has delivered or permanently rejected
 * (dead-lettered) every record in it. Every pump has its own consumer, so a slow or failing sink
 * holds back only its own group.
 *
 * <ul>
 *   <li><b>Failures.</b> An entry the pump could not take or deliver stays unacknowledged and is
 *       retried with capped exponential backoff and jitter; while the pump fails, no new entry is
 *       read for it (its backlog waits in Redis, not in memory) and one entry probes the sink.
 *   <li><b>Back-pressure.</b> New entries are read only while the raw bytes of the entries held
 *       (in flight or waiting for a retry) are below {@code maxInFlightBytes}.
 *   <li><b>Crash recovery.</b> On start the consumer first re-reads its own pending entries (a
 *       daemon restarted under the same consumer name resumes at once); entries of a consumer that
 *       stayed silent for {@code lease} are taken over ({@code XAUTOCLAIM}); the entries this
 *       consumer holds are renewed every third of the lease ({@code XCLAIM ... JUSTID}) so that no
 *       other daemon takes them while they are being worked on.
 *   <li><b>Dropped by the bound.</b> An entry the maintenance task dropped for this pump
 *       (backlog bound) is no longer pending; the renewal notices it and the entry is not retried.
 *   <li><b>Redis outage.</b> Reads and acks wait and retry; entries already held are still
 *       delivered; acks that could not be sent are sent later (a lost ack means a duplicate, never
 *       a loss).
 * </ul>
 *
 * <p>Threading: one thread {@code deliver-<pump>} runs the loop and is the only one touching the
 * Redis state; delivery stages complete on the pumps' threads and only enqueue their outcome.
 */
final class PumpConsumer {
  private static final Logger LOG = LoggerFactory.getLogger(PumpConsumer.class);
  private static final String NEW_ENTRIES = ">";
  private static final int READ_COUNT = 2;
  private static final int CLAIM_COUNT = 4;

  /**
   * @param consumerName this daemon's consumer name in the group
   * @param lease idle time after which another consumer's entries are taken over
   * @param pollInterval wait between reads of idle streams
   * @param maxInFlightBytes raw bytes of held entries above which nothing new is read
   * @param confirmTimeout how long a taken batch may stay unconfirmed before it is retried
   * @param replyTimeout how long to wait for Redis replies
   * @param backoff delays between retries of a failing pump
   */
  record Settings(String consumerName, Duration lease, Duration pollInterval, long maxInFlightBytes,
      Duration confirmTimeout, Duration replyTimeout, Backoff backoff) {}

  /** An entry of a stream. */
  private record Ref(String stream, String id) {}

  /** An entry this consumer holds: in flight to the pump, or waiting for a retry. */
  private static final class Held {
    final Ref ref;
    final StreamKeys keys;
    final List<?> records;
    final int recordCount;
    final long bytes;
    int attempts;
    /** No longer pending in Redis (dropped by the bound, or acknowledged elsewhere). */
    volatile boolean gone;

    Held(Ref ref, StreamKeys keys, List<?> records, int recordCount, long bytes) {
      this.ref = ref;
      this.keys = keys;
      this.records = records;
      this.recordCount = recordCount;
      this.bytes = bytes;
    }
  }

  /** The outcome of one attempt; {@code retryReason} null means settled. */
  private record Settled(Held held, String retryReason) {}

  private final PumpRunner runner;
  private final String group;
  private final Map<String, StreamKeys> streams = new LinkedHashMap<>();
  private final RecordDecoding decoding;
  private final RedisLink link;
  private final Settings settings;
  private final RedisAvailability availability;
  private final Consumer<String> me;

  // consumer-thread state
  private final Map<String, String> replayCursors = new HashMap<>();
  private final Map<Ref, Held> held = new ConcurrentHashMap<>();
  private final ArrayDeque<Held> retries = new ArrayDeque<>();
  private final Map<String, List<Held>> toAck = new LinkedHashMap<>();
  private final ConcurrentLinkedQueue<Settled> settledQueue = new ConcurrentLinkedQueue<>();
  private final AtomicLong heldBytes = new AtomicLong();
  private int failureStreak;
  /** The entry sent to find out whether a failing pump works again. */
  private Held probe;
  private long nextRetryNanos;
  private long failingSinceNanos;
  private long nextRenewNanos;
  private long nextClaimNanos;
  private int readRotation;
  /** Streams whose last read returned entries (read first when room is short). */
  private final Set<String> hadData = new HashSet<>();
  /** Raw bytes per entry, smoothed; 0 before the first entry. */
  private double avgEntryBytes;

  private final Object signal = new Object();
  private boolean woken;
  private volatile boolean stopReading;
  /** Open while the loop may still hand batches to the pump; released when it starts draining. */
  private final CountDownLatch handingOver = new CountDownLatch(1);
  private volatile long drainDeadlineNanos;
  private volatile String lastFailure;
  private Thread thread;

  private final Counter acked;
  private final Counter redelivered;
  private final AtomicLong ackedTotal = new AtomicLong();

  PumpConsumer(PumpRunner runner, List<StreamKeys> streams, RecordDecoding decoding,
      RedisLink link, Settings settings,
      RedisAvailability availability, MeterRegistry meters) {
    this.runner = runner;
    this.group = runner.name();
    for (StreamKeys k : streams) {
      this.streams.put(k.stream(), k);
      replayCursors.put(k.stream(), "0-0");
    }
    this.decoding = decoding;
    this.link = link;
    this.settings = settings;
    this.availability = availability;
    this.me = Consumer.from(group, settings.consumerName());
    Tags tags = Tags.of("pump", group);
    this.acked = meters.counter("pump.records.acked", tags);
    this.redelivered = meters.counter("pump.records.redelivered", tags);
    meters.gauge("pump.delivery.held.bytes", tags, heldBytes);
  }

  String pump() {
    return group;
  }

  PumpRunner runner() {
    return runner;
  }

  /** Records whose entries were acknowledged since start. */
  long ackedTotal() {
    return ackedTotal.get();
  }

  /** Entries held right now (in flight or waiting for a retry). */
  int heldEntries() {
    return held.size();
  }

  /** Why the pump is failing right now, or empty while it delivers. */
  Optional<String> failing() {
    return failureStreak > 0 ? Optional.ofNullable(lastFailure) : Optional.empty();
  }

  void start() {
    thread = new Thread(this::run, "deliver-" + group);
    thread.setDaemon(true);
    thread.start();
  }

  /** Wakes the loop (new entries were moved into the streams). Any thread. */
  void wake() {
    synchronized (signal) {
      woken = true;
      signal.notifyAll();
    }
  }

  /**
   * Stops reading; the loop then waits for the entries in flight to settle and acknowledges them,
   * until {@code drainDeadlineNanos} ({@link System#nanoTime()}); entries waiting for a retry are
   * left pending in Redis for the next start or another daemon. Returns at once.
   */
  void requestStop(long drainDeadlineNanos) {
    this.drainDeadlineNanos = drainDeadlineNanos;
    stopReading = true;
    wake();
  }

  /**
   * Stops at once without settling or acknowledging anything, as if the process died: what is
   * held stays pending in Redis. For {@link AtLeastOnceDelivery#close()} without a prior stop.
   */
  void abort() {
    drainDeadlineNanos = System.nanoTime();
    stopReading = true;
    if (thread != null) {
      thread.interrupt();
    }
  }

  /**
   * After {@link #requestStop}: waits until {@code deadlineNanos} for the loop to have handed its
   * last batch to the pump (a step in progress when the stop was requested may still read entries
   * and hand them over). Only then may the pump be flushed: a flush that ran earlier would leave
   * that last batch in the pump's buffer, unconfirmed until the deadline.
   *
   * @return true when the loop no longer hands anything over (or never started)
   */
  boolean awaitHandoversEnded(long deadlineNanos) {
    if (thread == null) {
      return true;
    }
    try {
      return handingOver.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Waits for the thread to end until {@code deadlineNanos}; then interrupts it (a write stuck in
   * the pump is abandoned, its entry stays pending).
   *
   * @return entries left unacknowledged in Redis (to be delivered again later)
   */
  int awaitStopped(long deadlineNanos) {
    if (thread != null) {
      try {
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
        if (thread.isAlive()) {
          thread.interrupt();
          thread.join(1000);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return held.size();
  }

  // ---- the loop ----

  private void run() {
    try {
      while (!stopReading) {
        try {
          step();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        } catch (ExecutionException | TimeoutException | RedisException e) {
          availability.down(ChunkMover.rootCause(e));
          await(settings.pollInterval());
        } catch (RuntimeException e) {
          LOG.error("Delivery loop of pump {} failed; continuing", group, e);
          await(settings.pollInterval());
        }
      }
    } finally {
      handingOver.countDown();
    }
    drain();
  }

  /** One pass: settle, acknowledge, renew, take over, retry, read; then wait if idle. */
  private void step() throws ExecutionException, TimeoutException, InterruptedException {
    settleCompleted();
    flushAcks();
    long now = System.nanoTime();
    if (now - nextRenewNanos >= 0) {
      renewLeases();
      nextRenewNanos = now + settings.lease().toNanos() / 3;
    }
    if (stopReading) {
      return; // stopping: take on nothing more
    }
    if (failureStreak == 0 && now - nextClaimNanos >= 0 && hasRoom()) {
      claimAbandoned();
      nextClaimNanos = now + settings.lease().toNanos() / 2;
    }
    if (retryDue()) {
      return;
    }
    if (retries.isEmpty() && hasRoom() && (failureStreak == 0 || probeByReading())
        && readOnce()) {
      return;
    }
    await(nextWait());
  }

  /**
   * While the pump fails and nothing it held is left (the entries were dropped for it by the
   * backlog bound), the next new entry probes the sink, once the backoff allows.
   */
  private boolean probeByReading() {
    return held.isEmpty() && System.nanoTime() - nextRetryNanos >= 0;
  }

  private boolean hasRoom() {
    return heldBytes.get() < settings.maxInFlightBytes();
  }

  private Duration nextWait() {
    long now = System.nanoTime();
    long wait = settings.pollInterval().toNanos();
    if (!retries.isEmpty()) {
      wait = Math.min(wait, Math.max(0, nextRetryNanos - now));
    }
    wait = Math.min(wait, Math.max(0, nextRenewNanos - now));
    return Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), wait));
  }

  private void await(Duration d) {
    synchronized (signal) {
      if (!woken && !stopReading) {
        try {
          signal.wait(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          stopReading = true;
        }
      }
      woken = false;
    }
  }

  // ---- reading ----

  /**
   * Reads new entries (pipelined over the streams), no more than the in-flight room allows at the
   * average entry size seen so far: with room for fewer entries than there are streams, one entry
   * each from that many streams, those that had data last time first, in rotating order. While
   * the pump is failing, one entry only (it probes the sink).
   *
   * @return whether anything was read
   */
  private boolean readOnce() throws ExecutionException, TimeoutException, InterruptedException {
    List<StreamKeys> order = new ArrayList<>(streams.values());
    int shift = readRotation++ % order.size();
    List<StreamKeys> rotated = new ArrayList<>(order.subList(shift, order.size()));
    rotated.addAll(order.subList(0, shift));
    rotated.sort((a, b) -> Boolean.compare(!hadData.contains(a.stream()), !hadData.contains(b.stream())));
    long room = settings.maxInFlightBytes() - heldBytes.get();
    long budget = failureStreak > 0 ? 1
        : avgEntryBytes <= 0 ? rotated.size() : Math.max(1, room / (long) avgEntryBytes);
    int perStream = (int) Math.max(1, Math.min(READ_COUNT, budget / rotated.size()));
    Map<StreamKeys, CompletableFuture<List<StreamMessage<String, byte[]>>>> reads =
        new LinkedHashMap<>();
    for (StreamKeys k : rotated) {
      if (budget <= 0) {
        break;
      }
      budget -= perStream;
      String cursor = replayCursors.getOrDefault(k.stream(), NEW_ENTRIES);
      XReadArgs.StreamOffset<String> offset = cursor.equals(NEW_ENTRIES)
          ? XReadArgs.StreamOffset.lastConsumed(k.stream())
          : XReadArgs.StreamOffset.from(k.stream(), cursor);
      try {
        reads.put(k, commands(k).xreadgroup(me, XReadArgs.Builder.count(perStream), offset)
            .toCompletableFuture());
      } catch (RedisException e) {
        reads.put(k, CompletableFuture.failedFuture(e));
      }
    }
    long deadline = System.nanoTime() + settings.replyTimeout().toNanos();
    boolean any = false;
    ExecutionException unreachable = null;
    int answered = 0;
    for (Map.Entry<StreamKeys, CompletableFuture<List<StreamMessage<String, byte[]>>>> e
        : reads.entrySet()) {
      StreamKeys k = e.getKey();
      List<StreamMessage<String, byte[]>> messages;
      try {
        messages = e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        answered++;
      } catch (ExecutionException ex) {
        Throwable cause = ChunkMover.rootCause(ex);
        if (cause instanceof RedisCommandExecutionException rce) {
          answered++;
          onReplyError(k, rce);
        } else {
          unreachable = ex;
        }
        continue;
      }
      String cursor = replayCursors.get(k.stream());
      if (cursor != null) {
        if (messages.isEmpty()) {
          replayCursors.remove(k.stream()); // own pending entries replayed: read new ones now
        } else {
          if ("0-0".equals(cursor)) {
            LOG.info("Pump {}: resuming the entries of {} that consumer {} took but had not "
                + "confirmed when it stopped", group, k.stream(), settings.consumerName());
          }
          replayCursors.put(k.stream(), messages.get(messages.size() - 1).getId());
          redelivered.increment(messages.size());
        }
      }
      if (messages.isEmpty()) {
        hadData.remove(k.stream());
      } else {
        hadData.add(k.stream());
      }
      any |= !messages.isEmpty();
      takeAll(k, messages);
    }
    if (answered == 0 && unreachable != null) {
      throw unreachable;
    }
    if (answered > 0) {
      availability.up();
    }
    return any;
  }

  private void onReplyError(StreamKeys k, RedisCommandExecutionException e) {
    String message = String.valueOf(e.getMessage());
    if (message.startsWith("NOGROUP")) {
      createGroup(k); // first start, or Redis lost the stream (restart without persistence)
      replayCursors.remove(k.stream());
    } else {
      LOG.warn("Redis refused to read {} for pump {}: {}", k.stream(), group, message);
      link.onReplyError();
    }
  }

  private void createGroup(StreamKeys k) {
    try {
      commands(k).xgroupCreate(XReadArgs.StreamOffset.from(k.stream(), "0-0"), group,
          XGroupCreateArgs.Builder.mkstream()).get(
              settings.replyTimeout().toNanos(), TimeUnit.NANOSECONDS);
      LOG.info("Created consumer group {} on {}", group, k.stream());
    } catch (ExecutionException e) {
      if (!String.valueOf(ChunkMover.rootCause(e).getMessage()).startsWith("BUSYGROUP")) {
        LOG.warn("Could not create consumer group {} on {}: {}", group, k.stream(),
            ChunkMover.rootCause(e).getMessage());
      }
    } catch (TimeoutException | RedisException e) {
      availability.down(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Fetches the records of entries this consumer now owns from their batch lists ({@code LRANGE},
   * pipelined), decodes them and hands them to the pump, entry by entry. An entry whose batch is
   * gone (deleted once every pump was done with it, or lost with Redis) has nothing left to
   * deliver and is acknowledged. An entry whose records cannot be fetched now (Redis away) stays
   * pending and comes back through the lease.
   */
  private void takeAll(StreamKeys k, List<StreamMessage<String, byte[]>> messages)
      throws InterruptedException {
    Map<StreamMessage<String, byte[]>, CompletableFuture<List<byte[]>>> fetches =
        new LinkedHashMap<>();
    for (StreamMessage<String, byte[]> m : messages) {
      Ref ref = new Ref(k.stream(), m.getId());
      if (held.containsKey(ref)) {
        continue; // already being worked on (claimed back while held)
      }
      EntryRange range = EntryRange.of(m.getBody());
      if (range == null) {
        // deleted from the stream while pending (trimmed), or not one of ours
        queueAck(new Held(ref, k, List.of(), 0, 0));
        continue;
      }
      try {
        fetches.put(m, commands(k).lrange(k.batchKey(range.batch()), range.start(),
            range.start() + range.count() - 1).toCompletableFuture());
      } catch (RedisException e) {
        fetches.put(m, CompletableFuture.failedFuture(e));
      }
    }
    long deadline = System.nanoTime() + settings.replyTimeout().toNanos();
    for (Map.Entry<StreamMessage<String, byte[]>, CompletableFuture<List<byte[]>>> e
        : fetches.entrySet()) {
      Ref ref = new Ref(k.stream(), e.getKey().getId());
      List<byte[]> raw;
      try {
        raw = e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException | TimeoutException ex) {
        availability.down(ChunkMover.rootCause(ex));
        continue; // stays pending; the lease brings it back
      }
      take(k, ref, raw);
    }
  }

  /** Decodes an entry's records and hands them to the pump. */
  private void take(StreamKeys k, Ref ref, List<byte[]> raw) throws InterruptedException {
    if (raw.isEmpty()) {
      queueAck(new Held(ref, k, List.of(), 0, 0)); // its batch is gone: nothing to deliver
      return;
    }
    long bytes = 0;
    for (byte[] r : raw) {
      bytes += r.length;
    }
    avgEntryBytes = avgEntryBytes <= 0 ? bytes : 0.8 * avgEntryBytes + 0.2 * bytes;
    List<?> records = k.uptime() ? decoding.uptime(k.list(), raw) : decoding.records(k.list(), raw);
    Held h = new Held(ref, k, records, raw.size(), bytes);
    held.put(ref, h);
    heldBytes.addAndGet(bytes);
    if (failureStreak > 0) {
      probe = h; // read while the pump fails: it tells whether the sink is back
    }
    submit(h);
  }

  /** The batch range a stream entry refers to ({@code move.lua}: fields b, s, n). */
  private record EntryRange(long batch, long start, long count) {
    static EntryRange of(Map<String, byte[]> body) {
      if (body == null || body.get("b") == null || body.get("s") == null || body.get("n") == null) {
        return null;
      }
      try {
        return new EntryRange(number(body.get("b")), number(body.get("s")), number(body.get("n")));
      } catch (NumberFormatException e) {
        return null;
      }
    }

    private static long number(byte[] text) {
      return Long.parseLong(new String(text, java.nio.charset.StandardCharsets.US_ASCII));
    }
  }

  /** One attempt; blocks while the pump takes the batch; the outcome is queued. */
  @SuppressWarnings("unchecked")
  private void submit(Held h) throws InterruptedException {
    h.attempts++;
    if (h.records.isEmpty()) {
      settledQueue.add(new Settled(h, null)); // every element undecodable (dead-lettered)
      return;
    }
    if (h.keys.uptime()) {
      Optional<String> retry = runner.deliverUptime((List<UptimeRecord>) h.records);
      settledQueue.add(new Settled(h, retry.orElse(null)));
      return;
    }
    CompletableFuture<DeliveryOutcome> f =
        runner.deliver((List<AnalyticsRecord>) h.records, settings.confirmTimeout());
    f.whenComplete((o, e) -> {
      settledQueue.add(new Settled(h, e != null ? String.valueOf(e) : o.retryReason()));
      wake();
    });
    if (Thread.currentThread().isInterrupted()) {
      throw new InterruptedException();
    }
  }

  // ---- settling ----

  private void settleCompleted() {
    Settled s;
    while ((s = settledQueue.poll()) != null) {
      Held h = s.held();
      if (s.retryReason() == null) {
        if (failureStreak > 0) {
          LOG.info("Pump {} delivers again after {} s; {} held entries follow now", group,
              TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - failingSinceNanos), retries.size());
          failureStreak = 0;
          nextRetryNanos = System.nanoTime();
        }
        queueAck(h);
      } else if (h.gone || stopReading) {
        release(h); // dropped for this pump meanwhile, or shutting down: leave it to Redis
      } else {
        onFailure(h, s.retryReason());
      }
    }
  }

  private void onFailure(Held h, String reason) {
    lastFailure = reason;
    if (failureStreak == 0) {
      failingSinceNanos = System.nanoTime();
      LOG.warn("Pump {} cannot deliver: {}; its entries stay in Redis and are retried with "
          + "backoff (nothing new is read for it meanwhile)", group, reason);
    }
    if (failureStreak == 0 || h == probe) {
      failureStreak++; // the other entries that were in flight fail for the same reason
    }
    nextRetryNanos = System.nanoTime() + settings.backoff().delay(failureStreak).toNanos();
    retries.addLast(h);
  }

  /** Resubmits the next retry when due; while failing, one entry at a time probes the sink. */
  private boolean retryDue() throws InterruptedException {
    if (retries.isEmpty() || stopReading || System.nanoTime() - nextRetryNanos < 0) {
      return false;
    }
    renewLeases(); // forget entries dropped for this pump meanwhile, rather than deliver them
    boolean any = false;
    while (!retries.isEmpty() && !stopReading && System.nanoTime() - nextRetryNanos >= 0) {
      Held h = retries.pollFirst();
      if (h.gone) {
        release(h);
        continue;
      }
      probe = failureStreak > 0 ? h : null;
      submit(h);
      any = true;
      if (failureStreak > 0) {
        // wait for this probe's outcome before sending the others
        nextRetryNanos = System.nanoTime() + settings.backoff().ceiling(failureStreak + 1).toNanos();
        break;
      }
    }
    return any;
  }

  private void queueAck(Held h) {
    toAck.computeIfAbsent(h.ref.stream(), s -> new ArrayList<>()).add(h);
  }

  private void release(Held h) {
    if (held.remove(h.ref) != null) {
      heldBytes.addAndGet(-h.bytes);
    }
  }

  /** Sends the pending acknowledgements, pipelined per stream; failed ones are kept for later. */
  private void flushAcks() throws InterruptedException {
    if (toAck.isEmpty()) {
      return;
    }
    Map<String, CompletableFuture<Long>> sent = new LinkedHashMap<>();
    for (Map.Entry<String, List<Held>> e : toAck.entrySet()) {
      String[] ids = e.getValue().stream().map(h -> h.ref.id()).toArray(String[]::new);
      try {
        sent.put(e.getKey(), commands(streams.get(e.getKey())).xack(e.getKey(), group, ids)
            .toCompletableFuture());
      } catch (RedisException ex) {
        sent.put(e.getKey(), CompletableFuture.failedFuture(ex));
      }
    }
    long deadline = System.nanoTime() + settings.replyTimeout().toNanos();
    for (Map.Entry<String, CompletableFuture<Long>> e : sent.entrySet()) {
      boolean done;
      try {
        e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        done = true;
      } catch (ExecutionException ex) {
        Throwable cause = ChunkMover.rootCause(ex);
        // NOGROUP: Redis lost the stream and group; the entries are gone, nothing to acknowledge
        done = cause instanceof RedisCommandExecutionException
            && String.valueOf(cause.getMessage()).startsWith("NOGROUP");
        if (!done) {
          availability.down(cause);
        }
      } catch (TimeoutException ex) {
        done = false;
      }
      if (done) {
        for (Held h : toAck.remove(e.getKey())) {
          release(h);
          acked.increment(h.recordCount);
          ackedTotal.addAndGet(h.recordCount);
        }
      }
    }
  }

  // ---- leases ----

  /**
   * Renews the entries held ({@code XCLAIM <ids> JUSTID}, min idle 0): resets their idle time so
   * no other daemon takes them over, and finds those no longer pending (dropped for this pump by
   * the backlog bound, or acknowledged by a daemon that took them over while Redis was away).
   */
  private void renewLeases() throws InterruptedException {
    Map<String, List<Held>> byStream = new HashMap<>();
    for (Held h : held.values()) {
      byStream.computeIfAbsent(h.ref.stream(), s -> new ArrayList<>()).add(h);
    }
    for (Map.Entry<String, List<Held>> e : byStream.entrySet()) {
      if (e.getValue().isEmpty()) {
        continue;
      }
      String[] ids = e.getValue().stream().map(h -> h.ref.id()).toArray(String[]::new);
      List<StreamMessage<String, byte[]>> still;
      try {
        still = commands(streams.get(e.getKey()))
            .xclaim(e.getKey(), me, XClaimArgs.Builder.justid(), ids)
            .get(settings.replyTimeout().toNanos(), TimeUnit.NANOSECONDS);
      } catch (ExecutionException | TimeoutException | RedisException ex) {
        continue; // Redis away or the group lost: keep delivering what is held
      }
      Set<String> pending = new HashSet<>();
      still.forEach(m -> pending.add(m.getId()));
      for (Held h : e.getValue()) {
        if (!pending.contains(h.ref.id()) && !h.gone) {
          h.gone = true;
          LOG.debug("Entry {} {} is no longer pending for pump {}", h.ref.stream(), h.ref.id(), group);
        }
      }
    }
    retries.removeIf(h -> {
      if (h.gone) {
        release(h);
        return true;
      }
      return false;
    });
  }

  /** Takes over entries other consumers left unacknowledged for longer than the lease. */
  private void claimAbandoned() throws InterruptedException {
    for (StreamKeys k : streams.values()) {
      String cursor = "0-0";
      do {
        ClaimedMessages<String, byte[]> claimed;
        try {
          claimed = commands(k).xautoclaim(k.stream(), XAutoClaimArgs.Builder
                  .xautoclaim(me, settings.lease(), cursor).count(CLAIM_COUNT))
              .get(settings.replyTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException | RedisException e) {
          break; // NOGROUP or Redis away: the read path handles both
        }
        List<StreamMessage<String, byte[]>> messages = claimed.getMessages();
        if (!messages.isEmpty()) {
          LOG.info("Pump {}: took over {} unacknowledged entries from {} (idle > {} s)", group,
              messages.size(), k.stream(), settings.lease().toSeconds());
          redelivered.increment(messages.size());
        }
        takeAll(k, messages);
        cursor = claimed.getId();
      } while (!"0-0".equals(cursor) && hasRoom() && !stopReading);
    }
  }

  // ---- shutdown ----

  /** After stop: settle and acknowledge what completes before the drain deadline. */
  private void drain() {
    boolean interrupted = Thread.currentThread().isInterrupted();
    retries.forEach(this::release);
    retries.clear();
    while (!interrupted && System.nanoTime() - drainDeadlineNanos < 0) {
      settleCompleted();
      retries.forEach(this::release);
      retries.clear();
      try {
        flushAcks();
      } catch (InterruptedException e) {
        interrupted = true;
        break;
      }
      if (held.isEmpty() && toAck.isEmpty()) {
        break;
      }
      synchronized (signal) {
        try {
          signal.wait(20);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    int left = held.size();
    if (left > 0) {
      LOG.info("Pump {}: {} entries left unacknowledged in Redis; they are delivered again on the "
          + "next start or by another daemon", group, left);
    }
  }

  private RedisAsyncCommands<String, byte[]> commands(StreamKeys k) {
    return link.commandsFor(k.stream());
  }
}
