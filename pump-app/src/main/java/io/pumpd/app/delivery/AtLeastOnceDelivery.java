package io.pumpd.app.delivery;

import io.micrometer.core.instrument.MeterRegistry;
import io.pumpd.app.redis.AnalyticsKeys;
import io.pumpd.app.redis.RedisAvailability;
import io.pumpd.app.redis.RedisConnectionFactory;
import io.pumpd.app.redis.RedisLink;
import io.pumpd.core.config.DeliveryConfig;
import io.pumpd.core.config.PumpConfiguration;
import io.pumpd.core.concurrent.FatalErrors;
import io.pumpd.core.concurrent.Threads;
import io.pumpd.core.config.PumpEntry;
import io.pumpd.core.deadletter.DeadLetterQueue;
import io.pumpd.core.engine.PumpRunner;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.retry.Backoff;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code at_least_once} delivery engine: a {@link ChunkMover} takes the gateway's lists for the
 * pump (renamed to pump-owned batch lists, referred to by entries of a pump-owned Redis Stream, one
 * per list, in the list's hash slot); one {@link PumpConsumer} per pump delivers them as a member
 * of the pump's consumer group and acknowledges what the pump delivered; {@link StreamMaintenance} enforces each pump's backlog bound, trims the
 * streams and reports backlog and lag. All delivery state lives in Redis, so a daemon killed at any
 * moment loses nothing: its unacknowledged entries are read again when it restarts under the same
 * consumer name, or taken over by another daemon after {@code delivery.lease_seconds}. See {@code
 * docs/DELIVERY.md}.
 *
 * <p>Lifecycle: {@link #create} (no I/O), {@link #start} once, {@link #stop} once (stops reading,
 * flushes the pumps, acknowledges what they delivered), then the caller closes the pumps and
 * finally {@link #close} (the Redis client). Thread-safe accessors for readiness and status.
 */
public final class AtLeastOnceDelivery implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AtLeastOnceDelivery.class);
  private static final Duration MAINTENANCE_INTERVAL = Duration.ofSeconds(1);

  /**
   * Resolved settings.
   *
   * @param consumerName this daemon's consumer name
   * @param entryRecords most records per stream entry
   * @param moveInterval wait between moves when the last one found the gateway lists empty or
   *     took them whole ({@code delivery.poll_interval_ms}, at most {@code purge_delay})
   * @param statusInterval how often the status line is logged
   * @param defaultBound the bound of pumps without their own, and of unknown groups
   * @param consumer the consumers' settings
   */
  record Settings(String consumerName, int entryRecords, Duration moveInterval,
      Duration statusInterval, StreamMaintenance.GroupBound defaultBound,
      PumpConsumer.Settings consumer) {}

  /**
   * What {@link #stop} left behind.
   *
   * @param unacknowledged per pump, entries (and their records) this daemon took and left pending
   *     in Redis (delivered again later)
   * @param unflushed pumps whose flush did not complete
   * @param complete every step finished before the deadline
   */
  public record StopReport(Map<String, Left> unacknowledged, List<String> unflushed,
      boolean complete) {}

  /**
   * What a stop left pending in Redis for one pump: the entries this daemon took and did not
   * acknowledge, and the records in them.
   */
  public record Left(int entries, long records) {}

  private final RedisLink link;
  private final RedisAvailability availability;
  private final RedisRefusals refusals;
  private final Settings settings;
  private final ChunkMover mover;
  private final List<PumpConsumer> consumers;
  private final StreamMaintenance maintenance;
  private final ScheduledExecutorService maintenanceThread;
  private long lastStatusMoved;
  private final Map<String, Long> lastStatusAcked = new LinkedHashMap<>();

  AtLeastOnceDelivery(RedisLink link, AnalyticsKeys keys, String streamSuffix, boolean moveUptime,
      List<PumpRunner> runners, Map<String, PumpEntry> entries, RecordDecoding.Factory decoding,
      Settings settings, MeterRegistry meters) {
    this.link = link;
    this.settings = settings;
    this.availability = new RedisAvailability(link.describe());
    this.refusals = new RedisRefusals();
    List<StreamKeys> analytics = keys.analytics().stream()
        .map(k -> StreamKeys.of(k, streamSuffix, false)).toList();
    StreamKeys uptime = StreamKeys.of(keys.uptime(), streamSuffix, true);
    List<StreamKeys> moved = new ArrayList<>(analytics);
    if (moveUptime) {
      moved.add(uptime);
    }
    this.consumers = new ArrayList<>();
    Map<StreamKeys, List<StreamMaintenance.GroupBound>> groups = new LinkedHashMap<>();
    boolean first = true;
    for (PumpRunner r : runners) {
      List<StreamKeys> reads = new ArrayList<>(analytics);
      if (moveUptime && r.acceptsUptime()) {
        reads.add(uptime);
      }
      StreamMaintenance.GroupBound bound = bound(r.name(), entries.get(r.name()), settings);
      for (StreamKeys k : reads) {
        groups.computeIfAbsent(k, x -> new ArrayList<>()).add(bound);
      }
      consumers.add(new PumpConsumer(r, reads, decoding.create(first), link, settings.consumer(),
          availability, refusals, meters));
      first = false;
    }
    this.mover = new ChunkMover(link, moved, settings.entryRecords(), settings.moveInterval(),
        settings.consumer().replyTimeout(), availability, refusals, this::wakeConsumers, meters);
    this.maintenance = new StreamMaintenance(link, groups, settings.defaultBound(),
        settings.consumer().lease().multipliedBy(10), settings.consumer().lease(),
        settings.consumer().replyTimeout(), availability, refusals, meters);
    this.maintenanceThread =
        Executors.newSingleThreadScheduledExecutor(Threads.factory("delivery-maintenance"));
  }

  /**
   * The engine for {@code config}: its own Redis client for {@code analytics_storage_config},
   * and one consumer per runner (every configured pump, initialised or not: a pump whose init is
   * still being retried keeps its share). Does no I/O.
   *
   * @param maxElementBytes the element limit ({@code max_element_bytes}, resolved)
   * @throws io.pumpd.app.redis.RedisConfigException when the Redis settings are invalid
   */
  public static AtLeastOnceDelivery create(PumpConfiguration config, List<PumpRunner> runners,
      DeadLetterQueue deadLetters, MeterRegistry meters, long maxElementBytes) {
    return create(config, runners, BatchDecoding.factory(deadLetters, meters, maxElementBytes),
        meters);
  }

  static AtLeastOnceDelivery create(PumpConfiguration config, List<PumpRunner> runners,
      RecordDecoding.Factory decoding, MeterRegistry meters) {
    RedisConnectionFactory factory = RedisConnectionFactory.create(config.analyticsStorageConfig());
    RedisLink link = factory.open();
    boolean moveUptime = !config.dontPurgeUptimeData()
        && runners.stream().anyMatch(PumpRunner::acceptsUptime);
    return new AtLeastOnceDelivery(link,
        AnalyticsKeys.withPrefix(config.analyticsStorageConfig().effectiveKeyPrefix()),
        config.delivery().streamSuffix(), moveUptime, runners, config.pumps(), decoding,
        settings(config, factory.settings().timeout()), meters);
  }

  /** The settings {@code config} gives, with Redis replies awaited {@code redisTimeout} + 1 s. */
  static Settings settings(PumpConfiguration config, Duration redisTimeout) {
    DeliveryConfig d = config.delivery();
    int entryRecords = config.purgeChunk() > 0
        ? (int) Math.min(100_000, config.purgeChunk()) : d.entryRecords();
    Duration purgeDelay = Duration.ofSeconds(config.purgeDelaySeconds());
    PumpConsumer.Settings consumer = new PumpConsumer.Settings(consumerName(d),
        Duration.ofSeconds(d.leaseSeconds()), Duration.ofMillis(d.pollIntervalMs()),
        d.maxInFlightBytes(), Duration.ofSeconds(d.confirmTimeoutSeconds()),
        redisTimeout.plusSeconds(1), Backoff.DEFAULT);
    Duration poll = Duration.ofMillis(d.pollIntervalMs());
    return new Settings(consumer.consumerName(), entryRecords,
        poll.compareTo(purgeDelay) < 0 ? poll : purgeDelay,
        purgeDelay.compareTo(Duration.ofSeconds(5)) < 0 ? Duration.ofSeconds(5) : purgeDelay,
        new StreamMaintenance.GroupBound("", d.maxBacklogRecords(), d.maxBacklogBytes()), consumer);
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

  /**
   * Starts the maintenance (it creates the consumer groups), the consumers and the mover. Returns
   * at once; Redis may be down (everything retries).
   */
  public void start() {
    maintenanceThread.scheduleWithFixedDelay(this::maintain, 0,
        MAINTENANCE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    consumers.forEach(PumpConsumer::start);
    mover.start();
    LOG.info("Delivery at_least_once: consumer {} on {}; {} pumps, entries of up to {} records, "
        + "lease {} s", settings.consumerName(), link.describe(), consumers.size(),
        settings.entryRecords(), settings.consumer().lease().toSeconds());
  }

  private long nextStatusNanos = System.nanoTime();

  private void maintain() {
    try {
      maintenance.runOnce();
    } catch (ExecutionException | TimeoutException e) {
      FatalErrors.check("delivery-maintenance", e);
      availability.down(ChunkMover.rootCause(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (RuntimeException | Error e) { // a scheduled task that throws is never run again
      FatalErrors.check("delivery-maintenance", e);
      LOG.error("Stream maintenance failed; retrying", e);
    }
    if (System.nanoTime() - nextStatusNanos >= 0) {
      nextStatusNanos = System.nanoTime() + settings.statusInterval().toNanos();
      logStatus();
    }
  }

  /**
   * One line per status interval, when something moved or a pump has a backlog: {@code Delivered
   * in the last 10 s: moved 5000; es=5000 (backlog 0), csv=4000 (backlog 1000, lag 3 s)}; and a
   * line naming the pump that holds things back.
   */
  private void logStatus() {
    long moved = mover.movedTotal();
    long movedNow = moved - lastStatusMoved;
    lastStatusMoved = moved;
    Map<String, StreamMaintenance.Backlog> backlogs = maintenance.backlogs();
    StringBuilder pumps = new StringBuilder();
    boolean anything = movedNow > 0;
    StreamMaintenance.Backlog slowest = null;
    for (PumpConsumer c : consumers) {
      long acked = c.ackedTotal();
      long ackedNow = acked - lastStatusAcked.getOrDefault(c.pump(), 0L);
      lastStatusAcked.put(c.pump(), acked);
      StreamMaintenance.Backlog b = backlogs.get(c.pump());
      long backlog = b == null ? 0 : b.records();
      anything |= ackedNow > 0 || backlog > 0;
      pumps.append(pumps.length() == 0 ? "" : ", ").append(c.pump()).append('=').append(ackedNow)
          .append(" (backlog ").append(backlog);
      if (b != null && b.lagMillis() >= 1000) {
        pumps.append(", lag ").append(b.lagMillis() / 1000).append(" s");
      }
      c.failing().ifPresent(f -> pumps.append(", failing: ").append(f));
      pumps.append(')');
      if (b != null && b.records() > 0 && (slowest == null || b.lagMillis() > slowest.lagMillis())) {
        slowest = b;
      }
    }
    if (!anything) {
      return;
    }
    LOG.info("Delivered in the last {} s: moved {} from the gateway lists; {}",
        settings.statusInterval().toSeconds(), movedNow, pumps);
    if (slowest != null && slowest.lagMillis() > settings.statusInterval().toMillis()) {
      LOG.warn("Pump {} is holding things back: {} records wait in Redis for it, the oldest for "
          + "{} s", slowest.pump(), slowest.records(), slowest.lagMillis() / 1000);
    }
  }

  private void wakeConsumers() {
    consumers.forEach(PumpConsumer::wake);
  }

  /**
   * Reasons for the readiness endpoint: Redis unreachable or refusing commands, pumps failing to
   * deliver (between attempts, or within one: a sink retried for as long as its timeout allows).
   */
  public List<String> notReadyReasons() {
    List<String> reasons = new ArrayList<>();
    availability.notReadyReason().ifPresent(reasons::add);
    reasons.addAll(refusals.reasons());
    Map<String, StreamMaintenance.Backlog> backlogs = maintenance.backlogs();
    for (PumpConsumer c : consumers) {
      c.failing().or(() -> c.runner().failing()).ifPresent(f -> {
        StreamMaintenance.Backlog b = backlogs.get(c.pump());
        reasons.add("pump " + c.pump() + ": cannot deliver: " + f
            + (b == null ? "" : " (backlog " + b.records() + " records)"));
      });
    }
    return reasons;
  }

  /** Wakes the consumer of {@code pump} (its pump was initialised). Any thread. */
  public void pumpInitialised(String pump) {
    consumers.stream().filter(c -> c.pump().equals(pump)).forEach(PumpConsumer::wake);
  }

  /**
   * Per pump: backlog records, lag seconds, records dropped by the bound since start, and the
   * current failure if any; for the readiness endpoint's details.
   */
  public Map<String, Map<String, Object>> status() {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    Map<String, StreamMaintenance.Backlog> backlogs = maintenance.backlogs();
    for (PumpConsumer c : consumers) {
      Map<String, Object> s = new LinkedHashMap<>();
      StreamMaintenance.Backlog b = backlogs.get(c.pump());
      s.put("backlog_records", b == null ? 0 : b.records());
      s.put("lag_seconds", b == null ? 0 : b.lagMillis() / 1000.0);
      s.put("dropped_records", b == null ? 0 : b.droppedTotal());
      s.put("acked_records", c.ackedTotal());
      c.failing().ifPresent(f -> s.put("failing", f));
      out.put(c.pump(), s);
    }
    return out;
  }

  /** The latest backlog per pump (tests, diagnostics). */
  Map<String, StreamMaintenance.Backlog> backlogs() {
    return maintenance.backlogs();
  }

  /** Runs the maintenance once on the calling thread (tests). */
  List<StreamMaintenance.StreamState> maintainNow()
      throws ExecutionException, TimeoutException, InterruptedException {
    return maintenance.runOnce();
  }

  /** True when the last contact with Redis succeeded. */
  public boolean redisAvailable() {
    return availability.isUp();
  }

  /**
   * Stops in order, bounded by {@code deadline}: the mover stops; the consumers stop reading and
   * finish handing over what they had read; then every pump is flushed (in parallel); what the
   * pumps confirm is acknowledged; entries still
   * unconfirmed are left pending in Redis, to be delivered again by the next start or another
   * daemon (never lost). Does not close the pumps or the Redis client.
   */
  public StopReport stop(Deadline deadline) {
    long end = System.nanoTime() + deadline.remaining().toNanos();
    // keep a reserve for closing the pumps and Redis after this
    long reserve = Math.min(TimeUnit.SECONDS.toNanos(3), deadline.remaining().toNanos() / 5);
    long drainEnd = end - reserve;
    boolean complete = mover.stop(Duration.ofNanos(Math.max(0, drainEnd - System.nanoTime())));
    consumers.forEach(c -> c.requestStop(drainEnd));
    // flush only once no consumer hands its pump anything more: a batch handed over after the
    // flush would sit in the pump's buffer, unconfirmed, until the deadline
    consumers.forEach(c -> c.awaitHandoversEnded(drainEnd));
    Deadline flushDeadline = Deadline.after(Duration.ofNanos(Math.max(1, drainEnd - System.nanoTime())));
    List<CompletableFuture<Boolean>> flushes = consumers.stream()
        .map(c -> CompletableFuture.supplyAsync(() -> c.runner().flush(flushDeadline)))
        .toList();
    List<String> unflushed = new ArrayList<>();
    for (int i = 0; i < consumers.size(); i++) {
      boolean ok;
      try {
        ok = flushes.get(i).get(Math.max(1, drainEnd - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        ok = false;
      } catch (ExecutionException | TimeoutException e) {
        ok = false;
      }
      if (!ok) {
        unflushed.add(consumers.get(i).pump());
      }
    }
    Map<String, Left> left = new LinkedHashMap<>();
    for (PumpConsumer c : consumers) {
      Left n = c.awaitStopped(drainEnd);
      if (n.entries() > 0) {
        left.put(c.pump(), n);
      }
    }
    maintenanceThread.shutdownNow();
    complete &= System.nanoTime() - end < 0;
    if (!left.isEmpty()) {
      LOG.info("Left in Redis for redelivery (unconfirmed by their pumps): {}", left.entrySet()
          .stream().map(e -> e.getKey() + "=" + e.getValue().entries() + " entries ("
              + e.getValue().records() + " records)")
          .collect(Collectors.joining(", ")));
    }
    return new StopReport(left, unflushed, complete);
  }

  /**
   * Closes the Redis client; idempotent. Without a prior {@link #stop} this abandons everything
   * held, unacknowledged, as a crash would (it stays pending in Redis for redelivery).
   */
  @Override
  public void close() {
    mover.stop(Duration.ZERO);
    consumers.forEach(PumpConsumer::abort);
    maintenanceThread.shutdownNow();
    link.close(Duration.ofSeconds(2));
  }
}
