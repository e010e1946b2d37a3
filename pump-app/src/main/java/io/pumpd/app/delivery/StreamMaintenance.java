package io.pumpd.app.delivery;

import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.pumpd.app.redis.RedisAvailability;
import io.pumpd.app.redis.RedisLink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the pump-owned streams in shape with {@code trim.lua}, one script per stream (pipelined):
 * creates missing consumer groups, enforces each pump's backlog bound (dropping that pump's
 * oldest records, counted as {@code pump.records.dropped{reason=backlog_bound}} and logged), trims
 * every stream to the oldest entry some pump still needs, and reports each pump's backlog and lag
 * ({@code pump.backlog.records}, {@code pump.backlog.lag.seconds}). Every daemon on a Redis runs
 * it; the script is atomic and idempotent, so they never conflict and each drop is counted once.
 *
 * <p>Threading: {@link #runOnce()} from one thread at a time (the engine's maintenance thread);
 * {@link #backlogs()} from any thread.
 */
final class StreamMaintenance {
  private static final Logger LOG = LoggerFactory.getLogger(StreamMaintenance.class);

  /** A consumer group (pump) with its backlog bound; 0 means none. */
  record GroupBound(String group, long maxRecords, long maxBytes) {}

  /** One group's state on one stream, as the script reported it. */
  record GroupState(String group, long backlog, long lagMillis, long pendingEntries, long dropped,
      boolean configured) {}

  /** One stream's state. */
  record StreamState(StreamKeys keys, long added, long addedBytes, long length, long trimmed,
      List<GroupState> groups) {}

  /**
   * A pump's backlog over all its streams.
   *
   * @param records records in Redis the pump has not yet confirmed
   * @param lagMillis age of the oldest of them (0 when none)
   * @param droppedTotal records dropped for it by the bound since this daemon started
   */
  record Backlog(String pump, long records, long lagMillis, long droppedTotal) {}

  private final RedisLink link;
  private final Map<StreamKeys, List<GroupBound>> groups;
  private final GroupBound defaults;
  private final Duration staleConsumerIdle;
  private final Duration replyTimeout;
  private final RedisAvailability availability;
  private final MeterRegistry meters;
  private final Map<String, AtomicLong> backlogGauges = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> lagGauges = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> lengthGauges = new ConcurrentHashMap<>();
  private final Map<String, Counter> dropCounters = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> droppedTotals = new ConcurrentHashMap<>();
  private final Map<String, Boolean> warnedUnknown = new ConcurrentHashMap<>();
  private volatile Map<String, Backlog> backlogs = Map.of();

  /**
   * @param groups per stream, the groups this daemon configures (its initialized pumps that read
   *     the stream) and their bounds
   * @param defaults the bound applied to groups found on a stream that this daemon does not
   *     configure (a pump removed from the config, or configured only on another daemon)
   * @param staleConsumerIdle consumers with nothing pending idle longer than this are removed
   */
  StreamMaintenance(RedisLink link, Map<StreamKeys, List<GroupBound>> groups, GroupBound defaults,
      Duration staleConsumerIdle, Duration replyTimeout, RedisAvailability availability,
      MeterRegistry meters) {
    this.link = link;
    this.groups = new LinkedHashMap<>(groups);
    this.defaults = defaults;
    this.staleConsumerIdle = staleConsumerIdle;
    this.replyTimeout = replyTimeout;
    this.availability = availability;
    this.meters = meters;
    groups.values().forEach(list -> list.forEach(g -> register(g.group())));
  }

  private void register(String pump) {
    Tags tags = Tags.of("pump", pump);
    backlogGauges.computeIfAbsent(pump,
        p -> meters.gauge("pump.backlog.records", tags, new AtomicLong()));
    lagGauges.computeIfAbsent(pump, p -> meters.gauge("pump.backlog.lag.seconds", tags,
        new AtomicLong(), a -> a.get() / 1000.0));
    dropCounters.computeIfAbsent(pump, p -> meters.counter("pump.records.dropped",
        tags.and("reason", "backlog_bound")));
    droppedTotals.computeIfAbsent(pump, p -> new AtomicLong());
  }

  /** The latest backlog per configured pump (empty before the first successful run). */
  Map<String, Backlog> backlogs() {
    return backlogs;
  }

  /**
   * Runs the script on every stream.
   *
   * @return the state of the streams that answered
   * @throws ExecutionException when no stream answered because Redis is unreachable
   */
  List<StreamState> runOnce() throws ExecutionException, TimeoutException, InterruptedException {
    Map<StreamKeys, CompletableFuture<List<Object>>> replies = new LinkedHashMap<>();
    for (Map.Entry<StreamKeys, List<GroupBound>> e : groups.entrySet()) {
      StreamKeys k = e.getKey();
      List<byte[]> args = new ArrayList<>();
      args.add(LuaScript.arg(defaults.maxRecords()));
      args.add(LuaScript.arg(defaults.maxBytes()));
      args.add(LuaScript.arg(staleConsumerIdle.toMillis()));
      args.add(LuaScript.arg(e.getValue().size()));
      for (GroupBound g : e.getValue()) {
        args.add(LuaScript.arg(g.group()));
        args.add(LuaScript.arg(g.maxRecords()));
        args.add(LuaScript.arg(g.maxBytes()));
      }
      try {
        replies.put(k, LuaScript.TRIM.run(link.commandsFor(k.stream()), ScriptOutputType.MULTI,
            new String[] {k.stream(), k.counters()}, args.toArray(new byte[0][])));
      } catch (RedisException ex) {
        replies.put(k, CompletableFuture.failedFuture(ex));
      }
    }
    long deadline = System.nanoTime() + replyTimeout.toNanos();
    List<StreamState> states = new ArrayList<>();
    ExecutionException failure = null;
    for (Map.Entry<StreamKeys, CompletableFuture<List<Object>>> e : replies.entrySet()) {
      try {
        states.add(parse(e.getKey(), e.getValue().get(
            Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)));
      } catch (ExecutionException ex) {
        failure = ex;
      }
    }
    if (states.isEmpty() && failure != null) {
      throw failure;
    }
    availability.up();
    account(states);
    return states;
  }

  private static StreamState parse(StreamKeys k, List<Object> reply) {
    List<GroupState> gs = new ArrayList<>();
    for (int i = 4; i < reply.size(); i++) {
      List<?> row = (List<?>) reply.get(i);
      gs.add(new GroupState(new String((byte[]) row.get(0), StandardCharsets.UTF_8),
          (Long) row.get(1), (Long) row.get(2), (Long) row.get(3), (Long) row.get(4),
          ((Long) row.get(5)) == 1L));
    }
    return new StreamState(k, (Long) reply.get(0), (Long) reply.get(1), (Long) reply.get(2),
        (Long) reply.get(3), gs);
  }

  private void account(List<StreamState> states) {
    Map<String, long[]> perPump = new LinkedHashMap<>(); // backlog, max lag
    groups.values().forEach(list -> list.forEach(g -> perPump.putIfAbsent(g.group(), new long[2])));
    for (StreamState s : states) {
      lengthGauges.computeIfAbsent(s.keys().stream(), st -> meters.gauge("pump.stream.length",
          Tags.of("stream", st), new AtomicLong())).set(s.length());
      for (GroupState g : s.groups()) {
        if (!g.configured()) {
          if (warnedUnknown.putIfAbsent(s.keys().stream() + "/" + g.group(), true) == null) {
            LOG.warn("Stream {} has consumer group {} that no pump of this daemon reads; it keeps at"
                + " most the default backlog bound of records there. If that pump was removed for "
                + "good: redis-cli XGROUP DESTROY {} {}", s.keys().stream(), g.group(),
                s.keys().stream(), g.group());
          }
          continue;
        }
        long[] agg = perPump.computeIfAbsent(g.group(), p -> new long[2]);
        agg[0] += g.backlog();
        agg[1] = Math.max(agg[1], g.lagMillis());
        if (g.dropped() > 0) {
          register(g.group());
          dropCounters.get(g.group()).increment(g.dropped());
          long total = droppedTotals.get(g.group()).addAndGet(g.dropped());
          LOG.warn("Pump {} fell behind by more than its backlog bound: dropped its {} oldest "
              + "records from {} (for this pump only; {} dropped since start). Raise "
              + "max_backlog_records/max_backlog_bytes or fix the sink.", g.group(), g.dropped(),
              s.keys().stream(), total);
        }
      }
    }
    Map<String, Backlog> snapshot = new LinkedHashMap<>();
    perPump.forEach((pump, agg) -> {
      register(pump);
      backlogGauges.get(pump).set(agg[0]);
      lagGauges.get(pump).set(agg[1]);
      snapshot.put(pump, new Backlog(pump, agg[0], agg[1], droppedTotals.get(pump).get()));
    });
    backlogs = Map.copyOf(snapshot);
  }
}
