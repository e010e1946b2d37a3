package io.pumpd.core.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.pumpd.core.codec.BatchDecoder;
import io.pumpd.core.concurrent.FatalErrors;
import io.pumpd.core.concurrent.Threads;
import io.pumpd.core.deadletter.DeadLetter;
import io.pumpd.core.deadletter.DeadLetterException;
import io.pumpd.core.deadletter.DeadLetterQueue;
import io.pumpd.core.deadletter.RateLimitedLogger;
import io.pumpd.core.engine.PumpRunner;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.retry.Backoff;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery engine, the same for every delivery guarantee and record kind: it reads batches
 * from a {@link DeliverySource}, decodes each once (whatever the number of pumps), offers the
 * decoded records to one {@link Lane} per pump, and acknowledges a batch to the source for a pump
 * once that pump's lane settled every record of it.
 *
 * <ul>
 *   <li><b>Reading.</b> Only for lanes that {@linkplain Lane#wantsMore() want more}: a lane at its
 *       in-flight budget, or whose pump fails, is read nothing new, so its backlog waits in the
 *       source. A non-durable source (its reads remove the records) is read only when every lane
 *       wants more, since what it returns goes to every pump.
 *   <li><b>Decoding.</b> A batch is decoded in slices of bounded heap; each slice is offered to
 *       the batch's lanes when they have room. Undecodable elements are dead-lettered once; when
 *       the dead-letter store fails, a durable source's batch is not acknowledged until they are
 *       written, a non-durable one's are counted as lost.
 *   <li><b>Acknowledging.</b> Per (pump, batch), once every slice is settled by that pump's lane.
 *       A part a lane let go unsettled (dropped by the source, shutdown) leaves its batch
 *       unacknowledged for that pump: a durable source delivers it again later.
 *   <li><b>Shutdown</b> ({@link #stop}): reading stops (a non-durable source's batches already
 *       read are still handed over); every lane hands over what it must; every pump is flushed in
 *       parallel; what settles before the deadline is acknowledged; the rest is reported.
 * </ul>
 *
 * <p><b>Threading.</b> One thread ({@code delivery}) reads, decodes, offers, acknowledges and runs
 * the source's upkeep; each lane has its own thread. Status accessors are thread-safe and never
 * block. <b>Lifecycle:</b> construct (no I/O), {@link #start} once, {@link #stop} once, then the
 * caller closes the pumps and the source.
 */
public final class DeliveryEngine {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryEngine.class);

  /**
   * @param maxInFlightBytes per lane: decoded heap held above which it is offered nothing new
   * @param confirmTimeout how long a pump may leave a taken batch unconfirmed before it is retried
   * @param backoff delays between retries of a failing pump
   * @param pollInterval longest wait of an idle thread (they are woken on new data)
   * @param statusInterval how often the status line is logged
   */
  public record Settings(long maxInFlightBytes, Duration confirmTimeout, Backoff backoff,
      Duration pollInterval, Duration statusInterval) {}

  /**
   * What {@link #stop} left behind.
   *
   * @param unacknowledged per pump, batches (and their records) it had read and not settled: a
   *     durable source delivers them again later
   * @param unflushed pumps whose flush did not complete
   * @param complete every step finished before the deadline
   */
  public record StopReport(Map<String, Left> unacknowledged, List<String> unflushed,
      boolean complete) {}

  /** What a stop left unacknowledged for one pump: batches and the records in them. */
  public record Left(int batches, long records) {}

  /** A batch read and not yet done with: its decoding progress and per-lane state. */
  private static final class Holding {
    final SourceBatch batch;
    int decodedUpTo;
    /** Lanes still owed this batch, with the number of their parts not done yet. */
    final Map<String, int[]> open = new LinkedHashMap<>();
    /** Lanes that let a part go unsettled: no ack for them. */
    final Set<String> abandoned = new LinkedHashSet<>();
    /** Lanes the source dropped the batch for (a subset of {@link #abandoned}). */
    final Set<String> dropped = new LinkedHashSet<>();
    /** Undecodable elements the dead-letter store did not take yet. */
    List<DeadLetter.Undecodable> unwritten = List.of();

    Holding(SourceBatch batch) {
      this.batch = batch;
      batch.lanes().forEach(l -> open.put(l, new int[1]));
    }

    boolean decoded() {
      return decodedUpTo >= batch.elements().size();
    }
  }

  /** A lane's report that it is done with a part. */
  private record Done(Lane lane, Part part, boolean settled) {}

  private final DeliverySource source;
  private final BatchDecoding decoding;
  private final DeadLetterQueue deadLetters;
  private final Settings settings;
  private final Map<String, Lane> lanes = new LinkedHashMap<>();
  private final Map<RecordKind, Set<String>> lanesByKind = new EnumMap<>(RecordKind.class);

  // engine-thread state
  private final Map<SourceBatch, Holding> held = new IdentityHashMap<>();
  private final ArrayDeque<Holding> decodingQueue = new ArrayDeque<>();
  private final Map<String, List<SourceBatch>> toAck = new LinkedHashMap<>();
  private final Map<String, List<SourceBatch>> toRelease = new LinkedHashMap<>();
  private long nextMaintainNanos;
  private long nextStatusNanos;
  private long nextDeadLetterRetryNanos;
  private final Map<String, Long> lastStatusAcked = new HashMap<>();
  /** Per lane, what it let go unsettled after reading stopped (left in the source). */
  private final Map<String, Left> leftAtStop = new LinkedHashMap<>();

  private final ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
  private final Object signal = new Object();
  private boolean woken;
  private volatile boolean stopReading;
  private volatile long drainDeadlineNanos = Long.MAX_VALUE;
  private final CountDownLatch ended = new CountDownLatch(1);
  private volatile Thread thread;

  private final Map<String, AtomicLong> acked = new LinkedHashMap<>();
  private final Map<String, Counter> ackedCounters = new HashMap<>();
  private final Counter read;
  private final Counter lost;
  private final RateLimitedLogger lossLog = new RateLimitedLogger(LOG, Duration.ofSeconds(10));
  private final AtomicLong readTotal = new AtomicLong();
  private final PurgeCycle cycle;
  private long lastStatusRead;

  /**
   * @param runners one per configured pump, initialised or not (a pump whose init is being
   *     retried keeps its lane: with a durable source its records wait for it)
   * @param deadLetters where undecodable elements are written again when their first write failed
   */
  public DeliveryEngine(DeliverySource source, BatchDecoding decoding, List<PumpRunner> runners,
      DeadLetterQueue deadLetters, Settings settings, MeterRegistry meters) {
    this.source = source;
    this.decoding = decoding;
    this.deadLetters = deadLetters;
    this.settings = settings;
    Lane.Settings laneSettings = new Lane.Settings(settings.maxInFlightBytes(),
        settings.confirmTimeout(), settings.backoff(), source.durable(), settings.pollInterval());
    for (RecordKind k : RecordKind.values()) {
      lanesByKind.put(k, new LinkedHashSet<>());
    }
    for (PumpRunner r : runners) {
      Lane lane = new Lane(r, laneSettings, this::onDone);
      lanes.put(r.name(), lane);
      for (RecordKind k : RecordKind.values()) {
        if (k.acceptedBy(r)) {
          lanesByKind.get(k).add(r.name());
        }
      }
      Tags tags = Tags.of("pump", r.name());
      acked.put(r.name(), new AtomicLong());
      ackedCounters.put(r.name(), meters.counter("pump.records.acked", tags));
      meters.gauge("pump.delivery.held.bytes", tags, lane.heldBytesGauge());
    }
    this.read = meters.counter("pump.records.popped");
    this.cycle = new PurgeCycle(!source.durable());
    this.lost = meters.counter("pump.records.lost", "pump", "", "reason", "deadletter_failed");
  }

  /** The pumps' runners, in configuration order. */
  public List<PumpRunner> runners() {
    return lanes.values().stream().map(Lane::runner).toList();
  }

  /** Opens the source and starts the lanes and the engine thread. Returns at once. */
  public void start() {
    Map<RecordKind, Set<String>> byKind = new EnumMap<>(RecordKind.class);
    lanesByKind.forEach((k, v) -> byKind.put(k, Set.copyOf(v)));
    source.open(byKind, this::wake);
    lanes.values().forEach(Lane::start);
    nextStatusNanos = System.nanoTime() + settings.statusInterval().toNanos();
    thread = Threads.start("delivery", this::run);
  }

  /** Wakes the engine (new data may wait, a pump was initialised). Any thread. */
  public void wake() {
    synchronized (signal) {
      woken = true;
      signal.notifyAll();
    }
  }

  /** A pump's {@code init} succeeded late: wakes the engine to read for it. Any thread. */
  public void pumpInitialised(String pump) {
    wake();
  }

  // ---- the engine thread ----

  private void run() {
    try {
      while (!stopReading) {
        try {
          step();
        } catch (SourceUnavailableException e) {
          await(source.idleWait());
        } catch (RuntimeException | Error e) {
          FatalErrors.check(Thread.currentThread().getName(), e);
          LOG.error("Delivery engine step failed; continuing", e);
          await(settings.pollInterval());
        }
      }
      drain();
    } catch (RuntimeException | Error e) {
      FatalErrors.check(Thread.currentThread().getName(), e);
      LOG.error("Delivery engine failed while stopping", e);
    } finally {
      ended.countDown();
    }
  }

  private void step() throws SourceUnavailableException {
    upkeep();
    if (!decodingQueue.isEmpty()) {
      if (!decodeNext()) {
        await(Duration.ofMillis(Math.min(20, settings.pollInterval().toMillis())));
      }
      return;
    }
    Set<String> demand = demand();
    if (demand.isEmpty()) {
      await(settings.pollInterval());
      return;
    }
    List<SourceBatch> batches = source.read(demand);
    if (batches.isEmpty()) {
      cycle.ended();
      await(source.idleWait());
      return;
    }
    cycle.round();
    for (SourceBatch b : batches) {
      Holding h = new Holding(b);
      held.put(b, h);
      decodingQueue.addLast(h);
      read.increment(b.elements().size());
      readTotal.addAndGet(b.elements().size());
      cycle.read(b.elements().size());
    }
  }

  /** Settles what the lanes finished, sends acks, and runs the periodic jobs that are due. */
  private void upkeep() {
    processDone();
    flushAcks();
    long now = System.nanoTime();
    if (now - nextMaintainNanos >= 0) {
      nextMaintainNanos = now + source.maintainInterval().toNanos();
      source.maintain().forEach((lane, batches) -> batches.forEach(b -> dropped(lane, b)));
    }
    if (now - nextDeadLetterRetryNanos >= 0) {
      nextDeadLetterRetryNanos = now + settings.pollInterval().toNanos();
      retryUndecodableDeadLetters();
    }
    if (now - nextStatusNanos >= 0) {
      nextStatusNanos = now + settings.statusInterval().toNanos();
      logStatus();
    }
  }

  /** The lanes to read for: those that want more (all of them, for a non-durable source). */
  private Set<String> demand() {
    Set<String> want = new LinkedHashSet<>();
    for (Lane l : lanes.values()) {
      if (l.wantsMore()) {
        want.add(l.name());
      } else if (!source.durable() && (l.runner().isInitialised() || l.heldBytes() > 0)) {
        return Set.of(); // what a non-durable source returns goes to every pump: wait for all
      }
    }
    if (!source.durable()) {
      return lanes.keySet(); // a pump that is not initialised counts its share as lost
    }
    return want;
  }

  /**
   * Decodes the next slice of the first batch waiting and offers it to its lanes, once each of
   * them has room. A lane without room whose pump is failing is let go of this batch (a durable
   * source reads it again for that pump later), so that a failing pump never holds back others.
   *
   * @return false when it must wait for room
   */
  private boolean decodeNext() {
    Holding h = decodingQueue.peekFirst();
    List<Lane> targets = new ArrayList<>();
    for (String name : List.copyOf(h.open.keySet())) {
      Lane lane = lanes.get(name);
      if (h.abandoned.contains(name)) {
        continue;
      }
      if (lane.hasRoom()) {
        targets.add(lane);
      } else if (source.durable() && lane.isFailing()) {
        h.abandoned.add(name); // not acknowledged for it: read again once it delivers
      } else {
        return false;
      }
    }
    List<byte[]> elements = h.batch.elements();
    List<byte[]> rest = elements.subList(h.decodedUpTo, elements.size());
    BatchDecoder.Decoded<?> d = decoding.decode(h.batch, rest, sliceBudget());
    h.decodedUpTo += Math.max(1, d.consumed());
    cycle.undecodable(d.undecodable());
    if (!d.notDeadLettered().isEmpty()) {
      keepUndecodable(h, d);
    }
    long heap = Math.max(1, d.heapBytes());
    if (!d.records().isEmpty()) {
      for (Lane lane : targets) {
        h.open.get(lane.name())[0]++;
        lane.offer(new Part(h.batch, d.records(), heap));
      }
    }
    if (h.decoded()) {
      decodingQueue.pollFirst();
      h.open.keySet().forEach(l -> maybeAck(h, l));
    }
    return true;
  }

  /** Most decoded heap offered in one slice: a quarter of a lane's budget, at least 1 MiB. */
  private long sliceBudget() {
    return Math.max(1L << 20, settings.maxInFlightBytes() / 4);
  }

  private void keepUndecodable(Holding h, BatchDecoder.Decoded<?> d) {
    if (source.durable()) {
      List<DeadLetter.Undecodable> all = new ArrayList<>(h.unwritten);
      all.addAll(d.notDeadLettered());
      h.unwritten = all; // the batch is acknowledged for no pump before they are written
      return;
    }
    lost.increment(d.notDeadLettered().size());
    lossLog.error("lost:" + h.batch.key(), "LOST {} undecodable elements read from {}: the "
        + "dead-letter store failed ({}); at_least_once would have kept them in Redis",
        d.notDeadLettered().size(), h.batch.key(), d.deadLetterFailure());
  }

  private void retryUndecodableDeadLetters() {
    for (Holding h : List.copyOf(held.values())) {
      if (h.unwritten.isEmpty()) {
        continue;
      }
      try {
        deadLetters.write(h.unwritten);
        h.unwritten = List.of();
        List.copyOf(h.open.keySet()).forEach(l -> maybeAck(h, l));
      } catch (DeadLetterException e) {
        return; // still failing: try again next time
      }
    }
  }

  private void onDone(Lane lane, Part part, boolean settled) {
    done.add(new Done(lane, part, settled));
    wake();
  }

  private void processDone() {
    Done d;
    while ((d = done.poll()) != null) {
      Holding h = held.get(d.part().batch);
      if (h == null) {
        continue;
      }
      String lane = d.lane().name();
      int[] open = h.open.get(lane);
      if (open == null) {
        continue;
      }
      open[0]--;
      if (!d.settled()) {
        h.abandoned.add(lane);
      }
      maybeAck(h, lane);
    }
  }

  /** Acknowledges (or lets go of) {@code h} for {@code lane} once the lane is done with all of it. */
  private void maybeAck(Holding h, String lane) {
    int[] open = h.open.get(lane);
    if (open == null || open[0] > 0 || !h.decoded()) {
      return;
    }
    if (h.abandoned.contains(lane)) {
      h.open.remove(lane);
      lanes.get(lane).forget(h.batch);
      if (!h.dropped.contains(lane)) {
        toRelease.computeIfAbsent(lane, k -> new ArrayList<>()).add(h.batch);
      }
      if (stopReading) {
        leftAtStop.merge(lane, new Left(1, h.batch.elements().size()),
            (a, b) -> new Left(a.batches() + b.batches(), a.records() + b.records()));
      }
    } else if (h.unwritten.isEmpty()) {
      h.open.remove(lane);
      toAck.computeIfAbsent(lane, k -> new ArrayList<>()).add(h.batch);
    }
    if (h.open.isEmpty()) {
      held.remove(h.batch);
    }
  }

  /** The source dropped {@code batch} for {@code lane}: stop delivering it there. */
  private void dropped(String lane, SourceBatch batch) {
    Lane l = lanes.get(lane);
    Holding h = held.get(batch);
    if (l == null || h == null || !h.open.containsKey(lane)) {
      return;
    }
    h.abandoned.add(lane);
    h.dropped.add(lane);
    l.gone(batch);
    maybeAck(h, lane);
  }

  private void flushAcks() {
    if (!toRelease.isEmpty()) {
      toRelease.forEach(source::release);
      toRelease.clear();
    }
    if (toAck.isEmpty()) {
      return;
    }
    for (Map.Entry<String, List<SourceBatch>> e : toAck.entrySet()) {
      source.ack(e.getKey(), e.getValue());
      long records = 0;
      for (SourceBatch b : e.getValue()) {
        records += b.elements().size();
        lanes.get(e.getKey()).forget(b);
      }
      acked.get(e.getKey()).addAndGet(records);
      ackedCounters.get(e.getKey()).increment(records);
    }
    toAck.clear();
  }

  private void await(Duration d) {
    synchronized (signal) {
      if (!woken && done.isEmpty() && !stopReading) {
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

  /**
   * After reading stopped: a non-durable source's batches read are still decoded and handed over
   * (a durable one's are left to it); then what the lanes settle is acknowledged until every
   * holding is done, the lanes ended, or the drain deadline passed.
   */
  private void drain() {
    if (source.durable()) {
      for (Holding h : decodingQueue) {
        h.abandoned.addAll(h.open.keySet());
        h.decodedUpTo = h.batch.elements().size();
        List.copyOf(h.open.keySet()).forEach(l -> maybeAck(h, l));
      }
      decodingQueue.clear();
    }
    while (!decodingQueue.isEmpty() && System.nanoTime() - drainDeadlineNanos < 0) {
      processDone();
      flushAcks();
      if (!decodeNext()) {
        waitBriefly();
      }
    }
    decodedAll = true;
    wakeAll();
    while (System.nanoTime() - drainDeadlineNanos < 0) {
      processDone();
      flushAcks();
      if (held.isEmpty() || (lanesEnded && done.isEmpty())) {
        break;
      }
      waitBriefly();
    }
    processDone();
    flushAcks();
  }

  private void wakeAll() {
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  private void waitBriefly() {
    synchronized (signal) {
      try {
        if (!woken && done.isEmpty()) {
          signal.wait(20);
        }
        woken = false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        drainDeadlineNanos = System.nanoTime();
      }
    }
  }

  // ---- status ----

  /** Records acknowledged for {@code pump} since start. */
  public long ackedTotal(String pump) {
    AtomicLong a = acked.get(pump);
    return a == null ? 0 : a.get();
  }

  /**
   * Reasons for the readiness endpoint: the source's, and pumps failing to deliver (between
   * attempts, or within one), with their backlog when the source knows it.
   */
  public List<String> notReadyReasons() {
    List<String> reasons = new ArrayList<>(source.notReadyReasons());
    Map<String, Map<String, Object>> status = source.status();
    for (Lane l : lanes.values()) {
      l.failing().or(() -> l.runner().failing()).ifPresent(f -> {
        Object backlog = status.getOrDefault(l.name(), Map.of()).get("backlog_records");
        reasons.add("pump " + l.name() + ": cannot deliver: " + f
            + (backlog == null ? "" : " (backlog " + backlog + " records)"));
      });
    }
    return reasons;
  }

  /** Per pump: what the source knows (backlog, lag, dropped), records acknowledged, failure. */
  public Map<String, Map<String, Object>> status() {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    Map<String, Map<String, Object>> fromSource = source.status();
    for (Lane l : lanes.values()) {
      Map<String, Object> s = new LinkedHashMap<>(fromSource.getOrDefault(l.name(), Map.of()));
      s.put("acked_records", ackedTotal(l.name()));
      l.failing().ifPresent(f -> s.put("failing", f));
      out.put(l.name(), s);
    }
    return out;
  }

  /**
   * One line per status interval when something was read or a pump has a backlog: {@code
   * Delivered in the last 10 s: read 5000; es=5000 (backlog 0), csv=4000 (backlog 1000, lag 3 s)};
   * and a line naming the pump that holds things back.
   */
  private void logStatus() {
    long readNow = readTotal.get() - lastStatusRead;
    lastStatusRead = readTotal.get();
    Map<String, Map<String, Object>> status = source.status();
    StringBuilder pumps = new StringBuilder();
    boolean anything = readNow > 0;
    String slowest = null;
    double slowestLag = 0;
    for (Lane l : lanes.values()) {
      long ackedNow = ackedTotal(l.name()) - lastStatusAcked.getOrDefault(l.name(), 0L);
      lastStatusAcked.put(l.name(), ackedTotal(l.name()));
      Map<String, Object> s = status.getOrDefault(l.name(), Map.of());
      long backlog = ((Number) s.getOrDefault("backlog_records", 0L)).longValue();
      double lag = ((Number) s.getOrDefault("lag_seconds", 0.0)).doubleValue();
      anything |= ackedNow > 0 || backlog > 0;
      pumps.append(pumps.length() == 0 ? "" : ", ").append(l.name()).append('=').append(ackedNow);
      if (s.containsKey("backlog_records")) {
        pumps.append(" (backlog ").append(backlog);
        if (lag >= 1) {
          pumps.append(", lag ").append((long) lag).append(" s");
        }
        l.failing().ifPresent(f -> pumps.append(", failing: ").append(f));
        pumps.append(')');
      } else {
        l.failing().ifPresent(f -> pumps.append(" (failing: ").append(f).append(')'));
      }
      if (backlog > 0 && (slowest == null || lag > slowestLag)) {
        slowest = l.name();
        slowestLag = lag;
      }
    }
    if (!anything) {
      return;
    }
    LOG.info("Delivered in the last {} s: read {} from Redis; {}",
        settings.statusInterval().toSeconds(), readNow, pumps);
    if (slowest != null && slowestLag * 1000 > settings.statusInterval().toMillis()) {
      Object backlog = status.get(slowest).get("backlog_records");
      LOG.warn("Pump {} is holding things back: {} records wait in Redis for it, the oldest for "
          + "{} s", slowest, backlog, (long) slowestLag);
    }
  }

  // ---- shutdown ----

  /**
   * Stops in order, bounded by {@code deadline}: reading stops; every lane hands over what it must
   * (a non-durable source's records are all handed over, a durable one's not yet handed over stay
   * in the source); every pump is flushed in parallel; what the pumps confirm is acknowledged.
   * Keeps a reserve of the deadline for closing the pumps and the source afterwards. Does not
   * close the pumps or the source.
   */
  public StopReport stop(Deadline deadline) {
    long end = System.nanoTime() + deadline.remaining().toNanos();
    long reserve = Math.min(TimeUnit.SECONDS.toNanos(3), deadline.remaining().toNanos() / 5);
    long drainEnd = end - reserve;
    drainDeadlineNanos = drainEnd;
    source.stopIntake();
    stopReading = true;
    wake();
    // the engine finishes the step it is in (a non-durable source's batches read: all of them)
    // before the lanes may end, so that a flush after that finds everything offered
    boolean complete = awaitEngineDecoded(drainEnd);
    lanes.values().forEach(l -> l.requestStop(drainEnd));
    for (Lane l : lanes.values()) {
      complete &= l.awaitHandoversEnded(drainEnd);
    }
    List<String> unflushed = flushAll(Deadline.after(
        Duration.ofNanos(Math.max(1, drainEnd - System.nanoTime()))));
    for (Lane l : lanes.values()) {
      complete &= l.awaitEnded(drainEnd);
    }
    lanesEnded = true;
    wake();
    if (thread == null) {
      ended.countDown();
    }
    try {
      complete &= ended.await(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      complete = false;
    }
    Map<String, Left> left = leftBehind();
    if (!left.isEmpty()) {
      LOG.info("Left {} (unconfirmed by their pumps): {}", source.durable()
          ? "in Redis for redelivery" : "undelivered", left.entrySet().stream()
              .map(e -> e.getKey() + "=" + e.getValue().batches() + " batches ("
                  + e.getValue().records() + " records)")
              .collect(Collectors.joining(", ")));
    }
    complete &= System.nanoTime() - end < 0;
    return new StopReport(left, unflushed, complete);
  }

  private volatile boolean decodedAll;
  private volatile boolean lanesEnded;

  private boolean awaitEngineDecoded(long deadlineNanos) {
    while (System.nanoTime() - deadlineNanos < 0) {
      if (thread == null || ended.getCount() == 0 || decodedAll) {
        return true;
      }
      synchronized (signal) {
        try {
          signal.wait(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return false;
  }

  private Map<String, Left> leftBehind() {
    if (ended.getCount() != 0) {
      return Map.of(); // the engine thread still owns the holdings
    }
    Map<String, Left> left = new LinkedHashMap<>(leftAtStop);
    for (Holding h : held.values()) {
      for (String lane : h.open.keySet()) {
        Left l = left.getOrDefault(lane, new Left(0, 0));
        left.put(lane, new Left(l.batches() + 1, l.records() + h.batch.elements().size()));
      }
    }
    return left;
  }

  /** Flushes every pump in parallel within {@code deadline}; returns the pumps that did not. */
  private List<String> flushAll(Deadline deadline) {
    return inParallel("flush", r -> r.flush(deadline), deadline);
  }

  /**
   * Closes every pump in parallel, bounded by {@code deadline}.
   *
   * @return the pumps whose close did not return in time
   */
  public List<String> closePumps(Deadline deadline) {
    return inParallel("close", r -> {
      r.close();
      return true;
    }, deadline);
  }

  /** Runs {@code step} on every runner at once; returns the pumps where it failed or outlasted. */
  private List<String> inParallel(String name, Predicate<PumpRunner> step, Deadline deadline) {
    ExecutorService pool = Executors.newCachedThreadPool(Threads.factory(name));
    try {
      Map<String, CompletableFuture<Boolean>> steps = new LinkedHashMap<>();
      lanes.values().forEach(l ->
          steps.put(l.name(), CompletableFuture.supplyAsync(() -> step.test(l.runner()), pool)));
      List<String> failed = new ArrayList<>();
      steps.forEach((pump, f) -> {
        try {
          if (!f.get(Math.max(1, deadline.remaining().toNanos()), TimeUnit.NANOSECONDS)) {
            failed.add(pump);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failed.add(pump);
        } catch (ExecutionException | TimeoutException e) {
          failed.add(pump);
        }
      });
      return failed;
    } finally {
      pool.shutdownNow();
    }
  }
}
