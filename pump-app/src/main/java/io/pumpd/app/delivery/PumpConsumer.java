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
import io.pumpd.core.codec.BatchDecoder;
import io.pumpd.core.concurrent.FatalErrors;
import io.pumpd.core.concurrent.Threads;
import io.pumpd.core.deadletter.DeadLetter;
import io.pumpd.core.engine.DeliveryOutcome;
import io.pumpd.core.engine.PumpRunner;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.UptimeRecord;
import io.pumpd.core.retry.Backoff;
import java.nio.charset.StandardCharsets;
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
 * them, hands them to the pump through its {@link PumpRunner} and acknowledges an entry ({@code
 * XACK}) only once the pump has delivered or permanently rejected (dead-lettered) every record in
 * it. Every pump has its own consumer, so a slow or failing sink holds back only its own group.
 *
 * <ul>
 *   <li><b>Parts.</b> An entry's records are fetched and handed over in parts of bounded size
 *       (about {@value #FETCH_TARGET_BYTES} bytes of Redis data each, sized from the batch's
 *       average record size that {@code move.lua} stores in the entry, and smaller when a part
 *       turns out bigger), so that neither one Redis reply nor one hand-over grows with the
 *       entry; the entry is acknowledged once every part is settled.
 *   <li><b>Back-pressure.</b> What the consumer holds (parts in flight or waiting for a retry) is
 *       counted by the heap its records take once decoded, not by their size in Redis; nothing new
 *       is fetched or read while it is at {@code maxInFlightBytes}.
 *   <li><b>Failures.</b> A part the pump could not take or deliver stays unacknowledged and is
 *       retried with capped exponential backoff and jitter; while the pump fails, no new entry is
 *       read for it (its backlog waits in Redis, not in memory) and one part probes the sink. A
 *       part whose dead letters could not be written (disk full) is retried the same way, writing
 *       only the dead letters again: its entry is acknowledged only once they are on disk.
 *   <li><b>Crash recovery.</b> On start the consumer first re-reads its own pending entries (a
 *       daemon restarted under the same consumer name resumes at once); entries of a consumer that
 *       stayed silent for {@code lease} are taken over ({@code XAUTOCLAIM}); the entries this
 *       consumer holds are renewed every third of the lease ({@code XCLAIM ... JUSTID}) so that no
 *       other daemon takes them while they are being worked on.
 *   <li><b>Dropped by the bound.</b> An entry the maintenance task dropped for this pump
 *       (backlog bound) is no longer pending; the renewal notices it and the entry is not retried.
 *   <li><b>Redis outage.</b> Reads and acks wait and retry; parts already held are still
 *       delivered; acks that could not be sent are sent later (a lost ack means a duplicate, never
 *       a loss). Refusals (e.g. {@code OOM} when creating the group) are reported to readiness and
 *       logged once, not once per retry.
 *   <li><b>Not initialised.</b> While the pump's {@code init} has not succeeded, nothing is read;
 *       its group keeps its share of every stream (the maintenance creates it), so it catches up
 *       once initialised.
 * </ul>
 *
 * <p>Threading: one thread {@code deliver-<pump>} runs the loop and is the only one touching the
 * Redis state; delivery stages complete on the pumps' threads and only enqueue their outcome. The
 * loop survives any failure but a {@linkplain FatalErrors fatal} one, which ends the process.
 */
final class PumpConsumer {
  private static final Logger LOG = LoggerFactory.getLogger(PumpConsumer.class);
  private static final String NEW_ENTRIES = ">";
  private static final int READ_COUNT = 2;
  private static final int CLAIM_COUNT = 4;
  /** Redis data per fetched part, aimed at. */
  static final long FETCH_TARGET_BYTES = 2L << 20;
  /** Records' size in Redis assumed when an entry does not say (written by an older version). */
  private static final long DEFAULT_RECORD_BYTES = 2048;
  /** Decoded heap per byte in Redis assumed when planning how much to fetch at once. */
  private static final int HEAP_PER_RAW_BYTE = 3;

  /**
   * @param consumerName this daemon's consumer name in the group
   * @param lease idle time after which another consumer's entries are taken over
   * @param pollInterval wait between reads of idle streams
   * @param maxInFlightBytes heap of held records above which nothing new is read or fetched
   * @param confirmTimeout how long a taken batch may stay unconfirmed before it is retried
   * @param replyTimeout how long to wait for Redis replies
   * @param backoff delays between retries of a failing pump
   */
  record Settings(String consumerName, Duration lease, Duration pollInterval, long maxInFlightBytes,
      Duration confirmTimeout, Duration replyTimeout, Backoff backoff) {}

  /** An entry of a stream. */
  private record Ref(String stream, String id) {}

  /**
   * A stream entry this consumer took (read or claimed) and has not acknowledged: its records are
   * {@code count} records of batch {@code batch} from {@code start}, fetched in parts.
   */
  private static final class Entry {
    final Ref ref;
    final StreamKeys keys;
    final long batch;
    final long start;
    final int count;
    /** Bytes per record in Redis, as the entry says, raised when a part shows more. */
    long recordBytes;
    /** Records fetched so far (from {@code start}). */
    int fetched;
    /** Records of the last fetched part not decoded yet (no room when it arrived), or null. */
    List<byte[]> undecoded;
    int undecodedAt;
    /** Parts handed over (or waiting for a retry) and not settled yet. */
    int openParts;
    /** No longer pending in Redis (dropped by the bound, or acknowledged elsewhere). */
    volatile boolean gone;

    Entry(Ref ref, StreamKeys keys, long batch, long start, int count, long recordBytes) {
      this.ref = ref;
      this.keys = keys;
      this.batch = batch;
      this.start = start;
      this.count = count;
      this.recordBytes = recordBytes;
    }

    boolean allFetched() {
      return fetched >= count;
    }

    /** Every record fetched and decoded (handed over, or undecodable). */
    boolean allTaken() {
      return fetched >= count && undecoded == null;
    }

    /** Records of the next part: about {@link #FETCH_TARGET_BYTES} of Redis data. */
    int nextPartSize(int from) {
      long n = Math.max(1, FETCH_TARGET_BYTES / Math.max(1, recordBytes));
      return (int) Math.min(n, count - from);
    }
  }

  /** Part of an entry, handed to the pump as one batch. */
  private static final class Part {
    final Entry entry;
    final List<?> records;
    final long heapBytes;
    int attempts;
    boolean released;
    /** The pump is done with the records (only dead letters may be left to write). */
    boolean recordsSettled;
    /** Dead letters of this part still to be written before the entry may be acknowledged. */
    List<DeadLetter> unwritten;

    Part(Entry entry, List<?> records, long heapBytes, List<DeadLetter> unwritten) {
      this.entry = entry;
      this.records = records;
      this.heapBytes = heapBytes;
      this.unwritten = unwritten;
    }
  }

  /** The outcome of one attempt; {@code retryReason} null means settled. */
  private record Settled(Part part, String retryReason, List<DeadLetter> unwritten) {}

  private final PumpRunner runner;
  private final String group;
  private final Map<String, StreamKeys> streams = new LinkedHashMap<>();
  private final RecordDecoding decoder;
  private final RedisLink link;
  private final Settings settings;
  private final RedisAvailability availability;
  private final RedisRefusals refusals;
  private final Consumer<String> me;

  // consumer-thread state
  private final Map<String, String> replayCursors = new HashMap<>();
  /** Every entry taken and not acknowledged (what a crash would leave pending), by reference. */
  private final Map<Ref, Entry> held = new ConcurrentHashMap<>();
  /** Entries with records still to fetch, in the order they were taken. */
  private final ArrayDeque<Entry> fetching = new ArrayDeque<>();
  /** Entries with fetched records still to decode (no room when they arrived). */
  private final ArrayDeque<Entry> decoding = new ArrayDeque<>();
  private final ArrayDeque<Part> retries = new ArrayDeque<>();
  private final Map<String, List<Entry>> toAck = new LinkedHashMap<>();
  private final ConcurrentLinkedQueue<Settled> settledQueue = new ConcurrentLinkedQueue<>();
  private final AtomicLong heldBytes = new AtomicLong();
  private int failureStreak;
  /** The part sent to find out whether a failing pump works again. */
  private Part probe;
  private long nextRetryNanos;
  private long failingSinceNanos;
  private long nextRenewNanos;
  private long nextClaimNanos;
  private int readRotation;
  /** Streams whose last read returned entries (read first when room is short). */
  private final Set<String> hadData = new HashSet<>();
  /** Heap per part handed over, smoothed; 0 before the first part. */
  private double avgPartHeap;

  private final Object signal = new Object();
  private boolean woken;
  private volatile boolean stopReading;
  /** Open while the loop may still hand batches to the pump; released when it starts draining. */
  private final CountDownLatch handingOver = new CountDownLatch(1);
  private volatile long drainDeadlineNanos;
  private volatile String lastFailure;
  private volatile int failing;
  private Thread thread;

  private final Counter acked;
  private final Counter redelivered;
  private final AtomicLong ackedTotal = new AtomicLong();

  PumpConsumer(PumpRunner runner, List<StreamKeys> streams, RecordDecoding decoding,
      RedisLink link, Settings settings, RedisAvailability availability, RedisRefusals refusals,
      MeterRegistry meters) {
    this.runner = runner;
    this.group = runner.name();
    for (StreamKeys k : streams) {
      this.streams.put(k.stream(), k);
      replayCursors.put(k.stream(), "0-0");
    }
    this.decoder = decoding;
    this.link = link;
    this.settings = settings;
    this.availability = availability;
    this.refusals = refusals;
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

  /** Entries held right now (taken and not acknowledged). */
  int heldEntries() {
    return held.size();
  }

  /** Why the pump is failing right now, or empty while it delivers. */
  Optional<String> failing() {
    return failing > 0 ? Optional.ofNullable(lastFailure) : Optional.empty();
  }

  void start() {
    thread = Threads.start("deliver-" + group, this::run);
  }

  /** Wakes the loop (new entries were moved into the streams, the pump was initialised). */
  void wake() {
    synchronized (signal) {
      woken = true;
      signal.notifyAll();
    }
  }

  /**
   * Stops reading; the loop then waits for the parts in flight to settle and acknowledges the
   * entries they complete, until {@code drainDeadlineNanos} ({@link System#nanoTime()}); the rest
   * is left pending in Redis for the next start or another daemon. Returns at once.
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
   * @return the entries this consumer took and did not acknowledge (delivered again later)
   */
  AtLeastOnceDelivery.Left awaitStopped(long deadlineNanos) {
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
    long records = 0;
    for (Entry e : held.values()) {
      records += e.count;
    }
    return new AtLeastOnceDelivery.Left(held.size(), records);
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
          FatalErrors.check(Thread.currentThread().getName(), e);
          availability.down(ChunkMover.rootCause(e));
          await(settings.pollInterval());
        } catch (RuntimeException | Error e) {
          FatalErrors.check(Thread.currentThread().getName(), e);
          LOG.error("Delivery loop of pump {} failed; continuing", group, e);
          await(settings.pollInterval());
        }
      }
    } finally {
      handingOver.countDown();
    }
    drain();
  }

  /** One pass: settle, acknowledge, renew, take over, retry, fetch, read; then wait if idle. */
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
    if (!runner.isInitialised()) {
      await(settings.pollInterval()); // its group keeps its share; wake() when initialised
      return;
    }
    if (failureStreak == 0 && now - nextClaimNanos >= 0 && hasRoom()) {
      claimAbandoned();
      nextClaimNanos = now + settings.lease().toNanos() / 2;
    }
    if (retryDue()) {
      return;
    }
    if (retries.isEmpty() && hasRoom() && (failureStreak == 0 || probeByTakingNew())) {
      boolean progress = !decoding.isEmpty() ? decodeMore(decoding.peekFirst())
          : !fetching.isEmpty() ? fetchParts() : readOnce();
      if (progress) {
        return;
      }
    }
    await(nextWait());
  }

  /**
   * While the pump fails and nothing it held is in flight or waiting (the entries were dropped
   * for it by the backlog bound), the next new part probes the sink, once the backoff allows.
   */
  private boolean probeByTakingNew() {
    return openParts() == 0 && System.nanoTime() - nextRetryNanos >= 0;
  }

  private int openParts() {
    int n = 0;
    for (Entry e : held.values()) {
      n += e.openParts;
    }
    return n;
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
   * average part size seen so far: with room for fewer entries than there are streams, one entry
   * each from that many streams, those that had data last time first, in rotating order. While
   * the pump is failing, one entry only (it probes the sink). Then fetches their first parts.
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
        : avgPartHeap <= 0 ? rotated.size() : Math.max(1, room / (long) avgPartHeap);
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
      refusals.accepted(readActivity(), k.stream());
      refusals.accepted(createActivity(), k.stream()); // the group exists (whoever created it)
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
    if (any) {
      fetchParts();
    }
    return any;
  }

  private String createActivity() {
    return "create the consumer group of pump " + group;
  }

  private String readActivity() {
    return "let pump " + group + " read the delivery streams";
  }

  private void onReplyError(StreamKeys k, RedisCommandExecutionException e) {
    String message = String.valueOf(e.getMessage());
    if (message.startsWith("NOGROUP")) {
      createGroup(k); // first start, or Redis lost the stream (restart without persistence)
      replayCursors.remove(k.stream());
    } else {
      refusals.refused(readActivity(), k.stream(), message);
      link.onReplyError();
    }
  }

  private void createGroup(StreamKeys k) {
    String activity = createActivity();
    try {
      commands(k).xgroupCreate(XReadArgs.StreamOffset.from(k.stream(), "0-0"), group,
          XGroupCreateArgs.Builder.mkstream()).get(
              settings.replyTimeout().toNanos(), TimeUnit.NANOSECONDS);
      refusals.accepted(activity, k.stream());
      LOG.info("Created consumer group {} on {}", group, k.stream());
    } catch (ExecutionException e) {
      String message = String.valueOf(ChunkMover.rootCause(e).getMessage());
      if (message.startsWith("BUSYGROUP")) {
        refusals.accepted(activity, k.stream());
      } else {
        refusals.refused(activity, k.stream(), message);
      }
    } catch (TimeoutException | RedisException e) {
      availability.down(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Takes entries this consumer now owns: an entry that refers to no records (trimmed from the
   * stream while pending, or not one of ours) is acknowledged; the others are held and their
   * records fetched in parts.
   */
  private void takeAll(StreamKeys k, List<StreamMessage<String, byte[]>> messages) {
    for (StreamMessage<String, byte[]> m : messages) {
      Ref ref = new Ref(k.stream(), m.getId());
      if (held.containsKey(ref)) {
        continue; // already being worked on (claimed back while held)
      }
      EntryRange range = EntryRange.of(m.getBody());
      if (range == null || range.count() <= 0) {
        queueAck(new Entry(ref, k, 0, 0, 0, 0)); // nothing to deliver
        continue;
      }
      Entry e = new Entry(ref, k, range.batch(), range.start(), (int) range.count(),
          range.recordBytes() > 0 ? range.recordBytes() : DEFAULT_RECORD_BYTES);
      held.put(ref, e);
      fetching.addLast(e);
    }
  }

  /** The batch range a stream entry refers to ({@code move.lua}: fields b, s, n, a). */
  private record EntryRange(long batch, long start, long count, long recordBytes) {
    static EntryRange of(Map<String, byte[]> body) {
      if (body == null || body.get("b") == null || body.get("s") == null || body.get("n") == null) {
        return null;
      }
      try {
        return new EntryRange(number(body.get("b")), number(body.get("s")), number(body.get("n")),
            body.get("a") == null ? 0 : number(body.get("a")));
      } catch (NumberFormatException e) {
        return null;
      }
    }

    private static long number(byte[] text) {
      return Long.parseLong(new String(text, StandardCharsets.US_ASCII));
    }
  }

  /** A part about to be fetched. */
  private record Planned(Entry entry, int from, int count, CompletableFuture<List<byte[]>> reply) {}

  /**
   * Fetches the next parts of the entries held (pipelined, as many as the in-flight room allows
   * at their estimated decoded size; one while the pump fails), decodes them and hands them to
   * the pump, in order. A part that cannot be fetched now (Redis away) is fetched again later; an
   * empty reply means the batch is gone (deleted once every pump was done with it, or lost with
   * Redis): nothing is left to deliver from it.
   *
   * @return whether any part was handed over (or an entry completed)
   */
  private boolean fetchParts() throws InterruptedException {
    long room = settings.maxInFlightBytes() - heldBytes.get();
    List<Planned> plan = new ArrayList<>();
    long planned = 0;
    Map<Entry, Integer> next = new HashMap<>();
    outer:
    for (Entry e : fetching) {
      if (e.undecoded != null) {
        continue; // its last part is not decoded yet
      }
      int from = next.getOrDefault(e, e.fetched);
      while (from < e.count) {
        int n = e.nextPartSize(from);
        long estimate = n * e.recordBytes * HEAP_PER_RAW_BYTE;
        if (!plan.isEmpty() && (planned + estimate > room || failureStreak > 0)) {
          break outer;
        }
        plan.add(new Planned(e, from, n, lrange(e, from, n)));
        planned += estimate;
        from += n;
        next.put(e, from);
      }
    }
    long deadline = System.nanoTime() + settings.replyTimeout().toNanos();
    Set<Entry> stalled = new HashSet<>();
    boolean any = false;
    for (Planned p : plan) {
      Entry e = p.entry();
      List<byte[]> raw;
      try {
        raw = p.reply().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException | TimeoutException ex) {
        FatalErrors.check(Thread.currentThread().getName(), ex);
        availability.down(ChunkMover.rootCause(ex));
        stalled.add(e); // fetched again later, from the first part that failed
        continue;
      }
      if (stalled.contains(e) || e.gone || e.fetched != p.from()) {
        continue;
      }
      any = true;
      if (raw.isEmpty()) {
        e.fetched = e.count; // its batch is gone: nothing left to deliver
      } else {
        e.fetched += raw.size();
        take(e, raw);
      }
      if (e.allFetched()) {
        fetching.remove(e);
      }
      if (e.allTaken() && e.openParts == 0) {
        queueAck(e);
      }
    }
    return any;
  }

  private CompletableFuture<List<byte[]>> lrange(Entry e, int from, int n) {
    try {
      long first = e.start + from;
      return commands(e.keys).lrange(e.keys.batchKey(e.batch), first, first + n - 1)
          .toCompletableFuture();
    } catch (RedisException ex) {
      return CompletableFuture.failedFuture(ex);
    }
  }

  /**
   * Takes a fetched part: its records are decoded and handed over in slices of bounded heap
   * ({@link #sliceBudget()}), as long as there is room; the rest waits, undecoded, in the entry.
   */
  private void take(Entry e, List<byte[]> raw) throws InterruptedException {
    long bytes = 0;
    for (byte[] r : raw) {
      bytes += r.length;
    }
    e.recordBytes = Math.max(e.recordBytes, bytes / raw.size()); // smaller parts from here on
    e.undecoded = raw;
    e.undecodedAt = 0;
    decodeMore(e);
  }

  /**
   * Decodes the next slices of {@code e}'s undecoded records and hands each to the pump: at least
   * one, then more while there is room. Records that decode to many times their size in Redis
   * therefore never make the consumer hold more than its budget (plus one slice).
   *
   * @return true (a slice was handed over)
   */
  private boolean decodeMore(Entry e) throws InterruptedException {
    boolean first = true;
    while (e.undecoded != null && (first || hasRoom())) {
      first = false;
      List<byte[]> rest = e.undecoded.subList(e.undecodedAt, e.undecoded.size());
      BatchDecoder.Decoded<?> d = e.keys.uptime()
          ? decoder.uptime(e.keys.list(), rest, sliceBudget())
          : decoder.records(e.keys.list(), rest, sliceBudget());
      e.undecodedAt += d.consumed();
      if (e.undecodedAt >= e.undecoded.size()) {
        e.undecoded = null;
        decoding.remove(e);
      } else if (!decoding.contains(e)) {
        decoding.addLast(e);
      }
      long unwrittenRaw = 0;
      for (DeadLetter.Undecodable u : d.notDeadLettered()) {
        unwrittenRaw += u.raw().length; // kept until the dead-letter store takes them
      }
      long heap = Math.max(1, d.heapBytes() + unwrittenRaw);
      avgPartHeap = avgPartHeap <= 0 ? heap : 0.8 * avgPartHeap + 0.2 * heap;
      Part p = new Part(e, d.records(), heap, List.copyOf(d.notDeadLettered()));
      e.openParts++;
      heldBytes.addAndGet(heap);
      if (failureStreak > 0) {
        probe = p; // taken while the pump fails: it tells whether the sink is back
      }
      submit(p);
    }
    return true;
  }

  /** Most decoded heap handed over in one batch: a quarter of the budget, at least 1 MiB. */
  private long sliceBudget() {
    return Math.max(1L << 20, settings.maxInFlightBytes() / 4);
  }

  /** One attempt; blocks while the pump takes the batch; the outcome is queued. */
  @SuppressWarnings("unchecked")
  private void submit(Part p) throws InterruptedException {
    p.attempts++;
    if (p.recordsSettled || p.records.isEmpty()) {
      p.recordsSettled = true; // only dead letters to write (or every element undecodable)
      settledQueue.add(new Settled(p, null, List.of()));
      return;
    }
    if (p.entry.keys.uptime()) {
      Optional<String> retry = runner.deliverUptime((List<UptimeRecord>) p.records);
      settledQueue.add(new Settled(p, retry.orElse(null), List.of()));
      return;
    }
    CompletableFuture<DeliveryOutcome> f = runner.deliver((List<AnalyticsRecord>) p.records,
        settings.confirmTimeout(), p.attempts);
    f.whenComplete((o, e) -> {
      settledQueue.add(e != null ? new Settled(p, String.valueOf(e), List.of())
          : new Settled(p, o.retryReason(), o.unwritten()));
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
      Part p = s.part();
      if (!s.unwritten().isEmpty()) {
        p.recordsSettled = true; // delivered or rejected; its dead letters wait for the store
        List<DeadLetter> all = new ArrayList<>(p.unwritten);
        all.addAll(s.unwritten());
        p.unwritten = all;
      } else if (s.retryReason() == null) {
        p.recordsSettled = true;
      }
      String failure = s.retryReason();
      if (p.recordsSettled && !p.unwritten.isEmpty()) {
        Optional<String> notWritten = runner.writeDeadLetters(p.unwritten);
        if (notWritten.isEmpty()) {
          p.unwritten = List.of();
          failure = null;
        } else {
          failure = notWritten.get();
        }
      }
      if (p.recordsSettled && failure == null) {
        settled(p);
      } else if (p.entry.gone || stopReading) {
        abandon(p); // dropped for this pump meanwhile, or shutting down: leave it to Redis
      } else {
        onFailure(p, failure);
      }
    }
  }

  private void settled(Part p) {
    if (failureStreak > 0) {
      LOG.info("Pump {} delivers again after {} s; {} held parts follow now", group,
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - failingSinceNanos), retries.size());
      failureStreak = 0;
      failing = 0;
      nextRetryNanos = System.nanoTime();
    }
    release(p);
    Entry e = p.entry;
    e.openParts--;
    if (e.gone) {
      if (e.openParts == 0) {
        forget(e);
      }
    } else if (e.allTaken() && e.openParts == 0) {
      queueAck(e);
    }
  }

  /**
   * Gives up a part without settling it (its entry was dropped for this pump, or the daemon is
   * stopping): its entry stays pending in Redis unless it is gone.
   */
  private void abandon(Part p) {
    release(p);
    Entry e = p.entry;
    e.openParts--;
    if (e.gone && e.openParts == 0) {
      forget(e);
    }
  }

  private void onFailure(Part p, String reason) {
    lastFailure = reason;
    if (failureStreak == 0) {
      failingSinceNanos = System.nanoTime();
      LOG.warn("Pump {} cannot deliver: {}; its entries stay in Redis and are retried with "
          + "backoff (nothing new is read for it meanwhile)", group, reason);
    }
    if (failureStreak == 0 || p == probe) {
      failureStreak++; // the other parts that were in flight fail for the same reason
    }
    failing = failureStreak;
    nextRetryNanos = System.nanoTime() + settings.backoff().delay(failureStreak).toNanos();
    retries.addLast(p);
  }

  /** Resubmits the next retry when due; while failing, one part at a time probes the sink. */
  private boolean retryDue() throws InterruptedException {
    if (retries.isEmpty() || stopReading || System.nanoTime() - nextRetryNanos < 0) {
      return false;
    }
    renewLeases(); // forget entries dropped for this pump meanwhile, rather than deliver them
    boolean any = false;
    while (!retries.isEmpty() && !stopReading && System.nanoTime() - nextRetryNanos >= 0) {
      Part p = retries.pollFirst();
      if (p.entry.gone) {
        abandon(p);
        continue;
      }
      probe = failureStreak > 0 ? p : null;
      submit(p);
      any = true;
      if (failureStreak > 0) {
        // wait for this probe's outcome before sending the others
        nextRetryNanos = System.nanoTime() + settings.backoff().ceiling(failureStreak + 1).toNanos();
        break;
      }
    }
    return any;
  }

  private void queueAck(Entry e) {
    toAck.computeIfAbsent(e.ref.stream(), s -> new ArrayList<>()).add(e);
  }

  /** Gives back a part's share of the in-flight room (once). */
  private void release(Part p) {
    if (!p.released) {
      p.released = true;
      heldBytes.addAndGet(-p.heapBytes);
    }
  }

  /** Forgets an entry that is no longer this consumer's to deliver. */
  private void forget(Entry e) {
    held.remove(e.ref);
    fetching.remove(e);
    decoding.remove(e);
    e.undecoded = null;
  }

  /** Sends the pending acknowledgements, pipelined per stream; failed ones are kept for later. */
  private void flushAcks() throws InterruptedException {
    if (toAck.isEmpty()) {
      return;
    }
    Map<String, CompletableFuture<Long>> sent = new LinkedHashMap<>();
    for (Map.Entry<String, List<Entry>> e : toAck.entrySet()) {
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
        for (Entry h : toAck.remove(e.getKey())) {
          forget(h);
          acked.increment(h.count);
          ackedTotal.addAndGet(h.count);
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
    Map<String, List<Entry>> byStream = new HashMap<>();
    for (Entry h : held.values()) {
      byStream.computeIfAbsent(h.ref.stream(), s -> new ArrayList<>()).add(h);
    }
    for (Map.Entry<String, List<Entry>> e : byStream.entrySet()) {
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
      for (Entry h : e.getValue()) {
        if (!pending.contains(h.ref.id()) && !h.gone) {
          h.gone = true;
          LOG.debug("Entry {} {} is no longer pending for pump {}", h.ref.stream(), h.ref.id(), group);
        }
      }
    }
    List<Part> dropped = new ArrayList<>();
    retries.removeIf(p -> p.entry.gone && dropped.add(p));
    dropped.forEach(this::abandon);
    for (Entry h : List.copyOf(held.values())) {
      if (h.gone) {
        fetching.remove(h); // parts in flight settle and are let go; nothing more is fetched
        decoding.remove(h);
        h.undecoded = null;
        if (h.openParts == 0) {
          forget(h);
        }
      }
    }
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
    if (!fetching.isEmpty()) {
      fetchParts();
    }
  }

  // ---- shutdown ----

  /** After stop: settle and acknowledge what completes before the drain deadline. */
  private void drain() {
    boolean interrupted = Thread.currentThread().isInterrupted();
    retries.forEach(this::abandon);
    retries.clear();
    while (!interrupted && System.nanoTime() - drainDeadlineNanos < 0) {
      settleCompleted();
      retries.forEach(this::abandon);
      retries.clear();
      try {
        flushAcks();
      } catch (InterruptedException e) {
        interrupted = true;
        break;
      }
      if (heldBytes.get() <= 0 && toAck.isEmpty()) {
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
