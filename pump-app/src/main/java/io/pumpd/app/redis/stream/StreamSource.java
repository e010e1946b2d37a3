package io.pumpd.app.redis.stream;

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
import io.pumpd.app.redis.AnalyticsKeys;
import io.pumpd.app.redis.RedisAvailability;
import io.pumpd.app.redis.RedisLink;
import io.pumpd.core.concurrent.Causes;
import io.pumpd.core.concurrent.FatalErrors;
import io.pumpd.core.config.DeliveryConfig;
import io.pumpd.core.config.PumpConfiguration;
import io.pumpd.core.config.PumpEntry;
import io.pumpd.core.concurrent.Threads;
import io.pumpd.core.delivery.DeliverySource;
import io.pumpd.core.delivery.RecordKind;
import io.pumpd.core.delivery.SourceBatch;
import io.pumpd.core.delivery.SourceUnavailableException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code at_least_once} source: pump-owned Redis Streams. A {@link ChunkMover} takes the
 * gateway's lists (renamed to batch lists, referred to by entries of a stream per list, in the
 * list's hash slot); every pump is a consumer group on those streams, named after the pump, with
 * this daemon as the consumer; {@link StreamMaintenance} creates the groups, enforces each pump's
 * backlog bound, trims the streams and reports backlog and lag. All delivery state lives in
 * Redis, so a daemon killed at any moment loses nothing. See {@code docs/DELIVERY.md}.
 *
 * <ul>
 *   <li><b>Reading.</b> For each pump the engine asks for, the entries of its group ({@code
 *       XREADGROUP}): first its own pending entries (a daemon restarted under the same consumer
 *       name resumes them), then new ones; entries other consumers left idle for the lease are
 *       taken over ({@code XAUTOCLAIM}). The records an entry refers to are fetched ({@code
 *       LRANGE}) in parts of about {@value #FETCH_TARGET_BYTES} bytes, sized from the average
 *       record size {@code move.lua} stores in the entry; a part read by several pumps at once
 *       (the usual case: healthy pumps read in step) is fetched once and is one batch for all of
 *       them, so the engine decodes it once.
 *   <li><b>Acknowledging.</b> An entry is acknowledged ({@code XACK}) for a pump once every part
 *       of it is; acknowledgements that cannot be sent are sent later (a duplicate, never a loss).
 *   <li><b>Leases.</b> The entries held are renewed every third of the lease ({@code XCLAIM ...
 *       JUSTID}); an entry that is no longer pending (dropped by the bound, taken over) is
 *       reported to the engine, which stops delivering it.
 *   <li><b>Given back.</b> A part released unsettled is fetched again for that pump later.
 * </ul>
 *
 * <p>Threading: {@link #read}, {@link #ack}, {@link #release}, {@link #maintain} on the engine's
 * thread; the mover and the maintenance have their own threads; status accessors any thread.
 */
public final class StreamSource implements DeliverySource {
  private static final Logger LOG = LoggerFactory.getLogger(StreamSource.class);
  private static final String NEW_ENTRIES = ">";
  private static final int READ_COUNT = 1;
  private static final int CLAIM_COUNT = 4;
  private static final int PARTS_PER_LANE = 2;
  private static final Duration MAINTENANCE_INTERVAL = Duration.ofSeconds(1);
  /** Redis data per fetched part, aimed at. */
  static final long FETCH_TARGET_BYTES = 2L << 20;

  /**
   * @param consumerName this daemon's consumer name in every group
   * @param lease idle time after which another consumer's entries are taken over
   * @param pollInterval wait between reads of idle streams
   * @param replyTimeout how long to wait for Redis replies
   * @param entryRecords most records per stream entry
   * @param moveInterval wait between moves when the gateway lists were empty
   * @param defaultBound the bound of pumps without their own, and of unknown groups
   */
  record Settings(String consumerName, Duration lease, Duration pollInterval,
      Duration replyTimeout, int entryRecords, Duration moveInterval,
      StreamMaintenance.GroupBound defaultBound) {}

  /** One pump's consumer group: its streams and what it holds (engine thread). */
  private final class Group {
    final String name;
    final Consumer<String> me;
    final Map<String, StreamKeys> streams = new LinkedHashMap<>();
    final Map<String, String> replayCursors = new HashMap<>();
    final Map<EntryRef, HeldEntry> held = new LinkedHashMap<>();
    final Map<String, List<String>> toAck = new LinkedHashMap<>();
    long nextClaimNanos;
    final Counter redelivered;

    Group(String name, List<StreamKeys> keys) {
      this.name = name;
      this.me = Consumer.from(name, settings.consumerName());
      for (StreamKeys k : keys) {
        streams.put(k.stream(), k);
        replayCursors.put(k.stream(), "0-0");
      }
      this.redelivered = meters.counter("pump.records.redelivered", "pump", name);
    }

    boolean anythingToFetch() {
      for (HeldEntry e : held.values()) {
        if (e.fetchable()) {
          return true;
        }
      }
      return false;
    }

    String readActivity() {
      return "let pump " + name + " read the delivery streams";
    }

    String createActivity() {
      return "create the consumer group of pump " + name;
    }
  }

  /** A part to fetch, and the groups that take it. */
  private record Planned(HeldEntry entry, int[] range, Set<String> lanes,
      CompletableFuture<List<byte[]>> reply) {}

  private final RedisLink link;
  private final List<StreamKeys> analytics;
  private final StreamKeys uptime;
  private final boolean moveUptime;
  private final Map<String, StreamMaintenance.GroupBound> bounds;
  private final Settings settings;
  private final MeterRegistry meters;
  private final RedisAvailability availability;
  private final RedisRefusals refusals = new RedisRefusals();
  private final Map<String, Group> groups = new LinkedHashMap<>();
  private ChunkMover mover;
  private StreamMaintenance maintenance;
  private ScheduledExecutorService maintenanceThread;
  private long nextRenewNanos;
  private volatile boolean closed;

  /**
   * @param analytics the streams of the gateway's analytics lists
   * @param uptime the stream of the uptime list
   * @param moveUptime whether the uptime list is drained (some pump takes uptime records)
   * @param bounds per pump, its backlog bound
   */
  StreamSource(RedisLink link, List<StreamKeys> analytics, StreamKeys uptime, boolean moveUptime,
      Map<String, StreamMaintenance.GroupBound> bounds, Settings settings, MeterRegistry meters) {
    this.link = link;
    this.analytics = List.copyOf(analytics);
    this.uptime = uptime;
    this.moveUptime = moveUptime;
    this.bounds = Map.copyOf(bounds);
    this.settings = settings;
    this.meters = meters;
    this.availability = new RedisAvailability(link.describe());
  }

  /**
   * The source for {@code config} on the daemon's Redis connection {@code link}: streams for the
   * analytics lists of {@code analytics_storage_config}'s prefix, and for the uptime list when
   * {@code uptimeTaken} and uptime data is purged; Redis replies awaited {@code commandTimeout}
   * and a second. Does no I/O.
   */
  public static StreamSource create(PumpConfiguration config, RedisLink link,
      Duration commandTimeout, boolean uptimeTaken, MeterRegistry meters) {
    AnalyticsKeys keys =
        AnalyticsKeys.withPrefix(config.analyticsStorageConfig().effectiveKeyPrefix());
    String suffix = config.delivery().streamSuffix();
    Settings settings = settings(config, commandTimeout);
    Map<String, StreamMaintenance.GroupBound> bounds = new LinkedHashMap<>();
    config.pumps().forEach((name, entry) -> bounds.put(name, bound(name, entry, settings)));
    return new StreamSource(link,
        keys.readOrder().stream().map(k -> StreamKeys.of(k, suffix, false)).toList(),
        StreamKeys.of(keys.uptime(), suffix, true),
        uptimeTaken && !config.dontPurgeUptimeData(), bounds, settings, meters);
  }

  /** The settings {@code config} gives, with Redis replies awaited {@code redisTimeout} + 1 s. */
  static Settings settings(PumpConfiguration config, Duration redisTimeout) {
    DeliveryConfig d = config.delivery();
    int entryRecords = config.purgeChunk() > 0
        ? (int) Math.min(100_000, config.purgeChunk()) : d.entryRecords();
    Duration purgeDelay = Duration.ofSeconds(config.purgeDelaySeconds());
    Duration poll = Duration.ofMillis(d.pollIntervalMs());
    return new Settings(consumerName(d), Duration.ofSeconds(d.leaseSeconds()), poll,
        redisTimeout.plusSeconds(1), entryRecords,
        poll.compareTo(purgeDelay) < 0 ? poll : purgeDelay,
        new StreamMaintenance.GroupBound("", d.maxBacklogRecords(), d.maxBacklogBytes()));
  }

  private static StreamMaintenance.GroupBound bound(String pump, PumpEntry entry, Settings s) {
    long records = entry != null && entry.maxBacklogRecords() > 0
        ? entry.maxBacklogRecords() : s.defaultBound().maxRecords();
    long bytes = entry != null && entry.maxBacklogBytes() > 0
        ? entry.maxBacklogBytes() : s.defaultBound().maxBytes();
    return new StreamMaintenance.GroupBound(pump, records, bytes);
  }

  /** {@code delivery.consumer_name}, else the host name (a pod's name in Kubernetes). */
  static String consumerName(DeliveryConfig d) {
    if (!d.consumerName().isBlank()) {
      return d.consumerName();
    }
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "pumpd";
    }
  }

  /** This daemon's consumer name. */
  public String consumerName() {
    return settings.consumerName();
  }

  @Override
  public boolean durable() {
    return true;
  }

  @Override
  public void open(Map<RecordKind, Set<String>> lanesByKind, Runnable wake) {
    Map<StreamKeys, List<StreamMaintenance.GroupBound>> byStream = new LinkedHashMap<>();
    for (String lane : lanesByKind.getOrDefault(RecordKind.ANALYTICS, Set.of())) {
      List<StreamKeys> reads = new ArrayList<>(analytics);
      if (moveUptime && lanesByKind.getOrDefault(RecordKind.UPTIME, Set.of()).contains(lane)) {
        reads.add(uptime);
      }
      StreamMaintenance.GroupBound bound = bounds.getOrDefault(lane,
          new StreamMaintenance.GroupBound(lane, settings.defaultBound().maxRecords(),
              settings.defaultBound().maxBytes()));
      reads.forEach(k -> byStream.computeIfAbsent(k, x -> new ArrayList<>()).add(bound));
      groups.put(lane, new Group(lane, reads));
    }
    List<StreamKeys> moved = new ArrayList<>(analytics);
    if (moveUptime) {
      moved.add(uptime);
    }
    mover = new ChunkMover(link, moved, settings.entryRecords(), settings.moveInterval(),
        settings.replyTimeout(), availability, refusals, wake, meters);
    maintenance = new StreamMaintenance(link, byStream, settings.defaultBound(),
        settings.lease().multipliedBy(10), settings.lease(), settings.replyTimeout(),
        availability, refusals, meters);
    maintenanceThread =
        Executors.newSingleThreadScheduledExecutor(Threads.factory("delivery-maintenance"));
    maintenanceThread.scheduleWithFixedDelay(this::maintainStreams, 0,
        MAINTENANCE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    mover.start();
    LOG.info("Delivery at_least_once: consumer {} on {}; {} pumps, entries of up to {} records, "
        + "lease {} s", settings.consumerName(), link.describe(), groups.size(),
        settings.entryRecords(), settings.lease().toSeconds());
  }

  private void maintainStreams() {
    try {
      maintenance.runOnce();
    } catch (ExecutionException | TimeoutException e) {
      FatalErrors.check("delivery-maintenance", e);
      availability.down(Causes.unwrap(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) { // a scheduled task that throws is never run again
      FatalErrors.check("delivery-maintenance", e);
      LOG.error("Stream maintenance failed; retrying", e);
    }
  }

  /** Runs the stream maintenance once on the calling thread (tests). */
  List<StreamMaintenance.StreamState> maintainNow()
      throws ExecutionException, TimeoutException, InterruptedException {
    return maintenance.runOnce();
  }

  /** The latest backlog per pump (tests, diagnostics). */
  Map<String, StreamMaintenance.Backlog> backlogs() {
    return maintenance == null ? Map.of() : maintenance.backlogs();
  }

  /** Records moved from the gateway lists since start. */
  long movedTotal() {
    return mover == null ? 0 : mover.movedTotal();
  }

  // ---- reading ----

  @Override
  public List<SourceBatch> read(Set<String> lanes) throws SourceUnavailableException {
    List<Group> wanting = new ArrayList<>();
    for (String lane : lanes) {
      Group g = groups.get(lane);
      if (g != null) {
        wanting.add(g);
      }
    }
    long now = System.nanoTime();
    try {
      for (Group g : wanting) {
        if (now - g.nextClaimNanos >= 0) {
          claimAbandoned(g);
          g.nextClaimNanos = now + settings.lease().toNanos() / 2;
        }
      }
      List<Group> readNew = wanting.stream().filter(g -> !g.anythingToFetch()).toList();
      if (!readNew.isEmpty()) {
        readEntries(readNew);
      }
    } catch (TimeoutException | ExecutionException | RedisException e) {
      FatalErrors.check(Thread.currentThread().getName(), e);
      Throwable cause = Causes.unwrap(e);
      availability.down(cause);
      throw new SourceUnavailableException("reading the delivery streams failed: " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
    return fetch(wanting);
  }

  /**
   * Reads entries for {@code wanting} (pipelined over groups and streams): a group's own pending
   * entries first (replay), then new ones.
   */
  private void readEntries(List<Group> wanting)
      throws ExecutionException, TimeoutException, InterruptedException {
    record Read(Group group, StreamKeys keys,
        CompletableFuture<List<StreamMessage<String, byte[]>>> reply) {}
    List<Read> reads = new ArrayList<>();
    for (Group g : wanting) {
      for (StreamKeys k : g.streams.values()) {
        String cursor = g.replayCursors.getOrDefault(k.stream(), NEW_ENTRIES);
        XReadArgs.StreamOffset<String> offset = cursor.equals(NEW_ENTRIES)
            ? XReadArgs.StreamOffset.lastConsumed(k.stream())
            : XReadArgs.StreamOffset.from(k.stream(), cursor);
        CompletableFuture<List<StreamMessage<String, byte[]>>> f;
        try {
          f = commands(k).xreadgroup(g.me, XReadArgs.Builder.count(READ_COUNT), offset)
              .toCompletableFuture();
        } catch (RedisException e) {
          f = CompletableFuture.failedFuture(e);
        }
        reads.add(new Read(g, k, f));
      }
    }
    long deadline = System.nanoTime() + settings.replyTimeout().toNanos();
    ExecutionException unreachable = null;
    int answered = 0;
    for (Read r : reads) {
      Group g = r.group();
      StreamKeys k = r.keys();
      List<StreamMessage<String, byte[]>> messages;
      try {
        messages = r.reply().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        answered++;
      } catch (ExecutionException ex) {
        Throwable cause = Causes.unwrap(ex);
        if (RedisAvailability.answeredWithError(cause)) {
          answered++;
          onReplyError(g, k, (RedisCommandExecutionException) cause);
        } else {
          unreachable = ex;
        }
        continue;
      }
      refusals.accepted(g.readActivity(), k.stream());
      refusals.accepted(g.createActivity(), k.stream()); // the group exists (whoever created it)
      String cursor = g.replayCursors.get(k.stream());
      if (cursor != null) {
        if (messages.isEmpty()) {
          g.replayCursors.remove(k.stream()); // own pending entries replayed: read new ones now
        } else {
          if ("0-0".equals(cursor)) {
            LOG.info("Pump {}: resuming the entries of {} that consumer {} took but had not "
                + "confirmed when it stopped", g.name, k.stream(), settings.consumerName());
          }
          g.replayCursors.put(k.stream(), messages.get(messages.size() - 1).getId());
          g.redelivered.increment(messages.size());
        }
      }
      takeAll(g, k, messages);
    }
    if (answered == 0 && unreachable != null) {
      throw unreachable;
    }
    if (answered > 0) {
      availability.up();
    }
  }

  private void onReplyError(Group g, StreamKeys k, RedisCommandExecutionException e) {
    String message = String.valueOf(e.getMessage());
    if (message.startsWith("NOGROUP")) {
      createGroup(g, k); // first start, or Redis lost the stream (restart without persistence)
      g.replayCursors.remove(k.stream());
    } else {
      refusals.refused(g.readActivity(), k.stream(), message);
      link.onReplyError();
    }
  }

  private void createGroup(Group g, StreamKeys k) {
    String activity = g.createActivity();
    try {
      commands(k).xgroupCreate(XReadArgs.StreamOffset.from(k.stream(), "0-0"), g.name,
          XGroupCreateArgs.Builder.mkstream()).get(
              settings.replyTimeout().toNanos(), TimeUnit.NANOSECONDS);
      refusals.accepted(activity, k.stream());
      LOG.info("Created consumer group {} on {}", g.name, k.stream());
    } catch (ExecutionException e) {
      String message = String.valueOf(Causes.unwrap(e).getMessage());
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
   * Takes entries the group now owns: an entry that refers to no records (trimmed from the stream
   * while pending, or not one of ours) is acknowledged at once; the others are held.
   */
  private void takeAll(Group g, StreamKeys k, List<StreamMessage<String, byte[]>> messages) {
    for (StreamMessage<String, byte[]> m : messages) {
      EntryRef ref = new EntryRef(k.stream(), m.getId());
      if (g.held.containsKey(ref)) {
        continue; // already being worked on (claimed back while held)
      }
      HeldEntry e = HeldEntry.of(ref, k, m.getBody());
      if (e == null) {
        g.toAck.computeIfAbsent(k.stream(), s -> new ArrayList<>()).add(m.getId());
        continue;
      }
      g.held.put(ref, e);
    }
  }

  /** Takes over entries other consumers left unacknowledged for longer than the lease. */
  private void claimAbandoned(Group g) throws InterruptedException {
    for (StreamKeys k : g.streams.values()) {
      String cursor = "0-0";
      do {
        ClaimedMessages<String, byte[]> claimed;
        try {
          claimed = commands(k).xautoclaim(k.stream(), XAutoClaimArgs.Builder
                  .xautoclaim(g.me, settings.lease(), cursor).count(CLAIM_COUNT))
              .get(settings.replyTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException | RedisException e) {
          break; // NOGROUP or Redis away: the read path handles both
        }
        List<StreamMessage<String, byte[]>> messages = claimed.getMessages();
        if (!messages.isEmpty()) {
          LOG.info("Pump {}: took over {} unacknowledged entries from {} (idle > {} s)", g.name,
              messages.size(), k.stream(), settings.lease().toSeconds());
          g.redelivered.increment(messages.size());
        }
        takeAll(g, k, messages);
        cursor = claimed.getId();
      } while (!"0-0".equals(cursor) && !closed);
    }
  }

  /**
   * Fetches the next parts of the entries the groups hold (pipelined, up to {@value
   * #PARTS_PER_LANE} per group); a part several groups are at is fetched once, for all of them.
   * An empty reply means the batch list is gone (deleted once every pump was done with it, or
   * lost with Redis): nothing is left to deliver from it. Entries completed by that (or that
   * referred to nothing) are acknowledged.
   */
  private List<SourceBatch> fetch(List<Group> wanting) throws SourceUnavailableException {
    Map<String, Planned> plan = new LinkedHashMap<>();
    for (Group g : wanting) {
      int parts = 0;
      for (HeldEntry e : g.held.values()) {
        if (parts >= PARTS_PER_LANE) {
          break;
        }
        if (!e.fetchable()) {
          continue;
        }
        int[] range = e.nextRange(FETCH_TARGET_BYTES);
        String id = e.ref.stream() + " " + e.ref.id() + " " + range[0] + " " + range[1];
        Planned p = plan.get(id);
        if (p == null) {
          plan.put(id, new Planned(e, range, new LinkedHashSet<>(List.of(g.name)),
              lrange(e, range)));
        } else {
          p.lanes().add(g.name);
        }
        parts++;
      }
    }
    long deadline = System.nanoTime() + settings.replyTimeout().toNanos();
    List<SourceBatch> out = new ArrayList<>();
    Throwable failure = null;
    for (Planned p : plan.values()) {
      List<byte[]> raw;
      try {
        raw = p.reply().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException | TimeoutException ex) {
        FatalErrors.check(Thread.currentThread().getName(), ex);
        failure = Causes.unwrap(ex);
        continue; // fetched again later
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        break;
      }
      StreamBatch batch = raw.isEmpty() ? null
          : new StreamBatch(p.entry().ref, p.entry().keys, p.range()[0], raw, p.lanes());
      for (String lane : p.lanes()) {
        Group g = groups.get(lane);
        HeldEntry e = g.held.get(p.entry().ref);
        if (e == null) {
          continue;
        }
        int[] range = e == p.entry() ? p.range() : e.nextRange(FETCH_TARGET_BYTES);
        e.fetchedRange(range, raw.size());
        if (batch != null) {
          e.outstanding.add(batch);
          long bytes = 0;
          for (byte[] r : raw) {
            bytes += r.length;
          }
          e.recordBytes = Math.max(e.recordBytes, bytes / raw.size()); // smaller parts from here
        } else if (e.complete()) {
          completed(g, e);
        }
      }
      if (batch != null) {
        out.add(batch);
      }
    }
    if (failure != null) {
      availability.down(failure);
      if (out.isEmpty()) {
        throw new SourceUnavailableException("fetching records failed: " + failure, failure);
      }
    } else if (!plan.isEmpty()) {
      availability.up();
    }
    flushAcks();
    return out;
  }

  private CompletableFuture<List<byte[]>> lrange(HeldEntry e, int[] range) {
    try {
      long first = e.start + range[0];
      return commands(e.keys).lrange(e.keys.batchKey(e.batch), first, first + range[1] - 1)
          .toCompletableFuture();
    } catch (RedisException ex) {
      return CompletableFuture.failedFuture(ex);
    }
  }

  // ---- acknowledging ----

  @Override
  public void ack(String lane, List<SourceBatch> batches) {
    forEachHeld(lane, batches, (g, e, b) -> {
      if (e.complete()) {
        completed(g, e);
      }
    });
    flushAcks();
  }

  @Override
  public void release(String lane, List<SourceBatch> batches) {
    forEachHeld(lane, batches, (g, e, b) -> {
      if (!e.gone) {
        e.redo.addLast(new int[] {b.from, b.elements().size()}); // fetched again for this pump
      }
    });
  }

  /** What to do with a batch a lane is done with, and the entry it belongs to. */
  @FunctionalInterface
  private interface HeldBatch {
    void accept(Group group, HeldEntry entry, StreamBatch batch);
  }

  /**
   * For each of {@code batches} still outstanding for {@code lane}: forgets it as outstanding and
   * calls {@code then} with the entry it belongs to.
   */
  private void forEachHeld(String lane, List<SourceBatch> batches, HeldBatch then) {
    Group g = groups.get(lane);
    if (g == null) {
      return;
    }
    for (SourceBatch b : batches) {
      StreamBatch sb = (StreamBatch) b;
      HeldEntry e = g.held.get(sb.ref);
      if (e != null && e.outstanding.remove(sb)) {
        then.accept(g, e, sb);
      }
    }
  }

  private void completed(Group g, HeldEntry e) {
    g.held.remove(e.ref);
    if (!e.gone) {
      g.toAck.computeIfAbsent(e.ref.stream(), s -> new ArrayList<>()).add(e.ref.id());
    }
  }

  /** Sends the pending acknowledgements, pipelined; failed ones are kept for later. */
  private void flushAcks() {
    Map<String[], CompletableFuture<Long>> sent = new LinkedHashMap<>();
    for (Group g : groups.values()) {
      for (Map.Entry<String, List<String>> e : g.toAck.entrySet()) {
        if (e.getValue().isEmpty()) {
          continue;
        }
        String[] ids = e.getValue().toArray(String[]::new);
        CompletableFuture<Long> f;
        try {
          f = commands(g.streams.get(e.getKey())).xack(e.getKey(), g.name, ids)
              .toCompletableFuture();
        } catch (RedisException ex) {
          f = CompletableFuture.failedFuture(ex);
        }
        sent.put(new String[] {g.name, e.getKey(), String.valueOf(ids.length)}, f);
      }
    }
    long deadline = System.nanoTime() + settings.replyTimeout().toNanos();
    for (Map.Entry<String[], CompletableFuture<Long>> e : sent.entrySet()) {
      boolean done;
      try {
        e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        done = true;
      } catch (ExecutionException ex) {
        Throwable cause = Causes.unwrap(ex);
        // NOGROUP: Redis lost the stream and group; the entries are gone, nothing to acknowledge
        done = cause instanceof RedisCommandExecutionException
            && String.valueOf(cause.getMessage()).startsWith("NOGROUP");
        if (!done) {
          availability.down(cause);
        }
      } catch (TimeoutException ex) {
        done = false;
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        return;
      }
      if (done) {
        List<String> ids = groups.get(e.getKey()[0]).toAck.get(e.getKey()[1]);
        ids.subList(0, Integer.parseInt(e.getKey()[2])).clear();
      }
    }
  }

  // ---- leases ----

  @Override
  public Map<String, Set<SourceBatch>> maintain() {
    flushAcks();
    long now = System.nanoTime();
    if (now - nextRenewNanos < 0) {
      return Map.of();
    }
    nextRenewNanos = now + settings.lease().toNanos() / 3;
    Map<String, Set<SourceBatch>> gone = new LinkedHashMap<>();
    for (Group g : groups.values()) {
      renew(g).forEach(e -> {
        if (!e.outstanding.isEmpty()) {
          gone.computeIfAbsent(g.name, k -> new LinkedHashSet<>()).addAll(e.outstanding);
        }
        g.held.remove(e.ref);
      });
    }
    return gone;
  }

  /**
   * Renews the entries {@code g} holds ({@code XCLAIM <ids> JUSTID}, min idle 0): resets their
   * idle time so no other daemon takes them over, and finds those no longer pending.
   *
   * @return the entries no longer pending for the group
   */
  private List<HeldEntry> renew(Group g) {
    Map<String, List<HeldEntry>> byStream = new HashMap<>();
    for (HeldEntry h : g.held.values()) {
      byStream.computeIfAbsent(h.ref.stream(), s -> new ArrayList<>()).add(h);
    }
    List<HeldEntry> gone = new ArrayList<>();
    for (Map.Entry<String, List<HeldEntry>> e : byStream.entrySet()) {
      String[] ids = e.getValue().stream().map(h -> h.ref.id()).toArray(String[]::new);
      List<StreamMessage<String, byte[]>> still;
      try {
        still = commands(g.streams.get(e.getKey()))
            .xclaim(e.getKey(), g.me, XClaimArgs.Builder.justid(), ids)
            .get(settings.replyTimeout().toNanos(), TimeUnit.NANOSECONDS);
      } catch (ExecutionException | TimeoutException | RedisException ex) {
        continue; // Redis away or the group lost: keep delivering what is held
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        break;
      }
      Set<String> pending = new HashSet<>();
      still.forEach(m -> pending.add(m.getId()));
      for (HeldEntry h : e.getValue()) {
        if (!pending.contains(h.ref.id())) {
          h.gone = true;
          gone.add(h);
          LOG.debug("Entry {} {} is no longer pending for pump {}", h.ref.stream(), h.ref.id(),
              g.name);
        }
      }
    }
    return gone;
  }

  // ---- status ----

  @Override
  public Duration idleWait() {
    return settings.pollInterval();
  }

  @Override
  public Duration maintainInterval() {
    return Duration.ofMillis(Math.max(50, Math.min(1000, settings.lease().toMillis() / 6)));
  }

  @Override
  public List<String> notReadyReasons() {
    List<String> reasons = new ArrayList<>();
    availability.notReadyReason().ifPresent(reasons::add);
    reasons.addAll(refusals.reasons());
    return reasons;
  }

  /** True when the last contact with Redis succeeded. */
  boolean redisAvailable() {
    return availability.isUp();
  }

  @Override
  public Map<String, Map<String, Object>> status() {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    Map<String, StreamMaintenance.Backlog> backlogs = backlogs();
    for (String pump : groups.keySet()) {
      StreamMaintenance.Backlog b = backlogs.get(pump);
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("backlog_records", b == null ? 0L : b.records());
      s.put("lag_seconds", b == null ? 0.0 : b.lagMillis() / 1000.0);
      s.put("dropped_records", b == null ? 0L : b.droppedTotal());
      out.put(pump, s);
    }
    return out;
  }

  /**
   * Stops the mover and the maintenance; does not close the Redis client (the caller owns it).
   * What is held and not acknowledged stays pending in Redis. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (mover != null) {
      mover.stop(Duration.ofSeconds(2));
    }
    if (maintenanceThread != null) {
      maintenanceThread.shutdownNow();
    }
  }

  /** Stops the mover: nothing new is taken from the gateway's lists. */
  @Override
  public void stopIntake() {
    if (mover != null) {
      mover.stop(Duration.ZERO);
    }
  }

  private RedisAsyncCommands<String, byte[]> commands(StreamKeys k) {
    return link.commandsFor(k.stream());
  }
}
