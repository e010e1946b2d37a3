package io.pumpd.app.redis.stream;

import io.pumpd.core.concurrent.Causes;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  /**
   * One stream's state.
   *
   * @param newestAgeMillis age of the stream's newest entry (-1 when nothing was ever added)
   */
  record StreamState(StreamKeys keys, long added, long addedBytes, long length, long trimmed,
      long newestAgeMillis, List<GroupState> groups) {}

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
  private final RedisRefusals refusals;
  private final MeterRegistry meters;
  private final Map<String, AtomicLong> backlogGauges = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> lagGauges = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> lengthGauges = new ConcurrentHashMap<>();
  private final Map<String, Counter> dropCounters = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> droppedTotals = new ConcurrentHashMap<>();
  private final Map<String, Boolean> warnedUnknown = new ConcurrentHashMap<>();
  /** Per configured pump, for the stall rule (maintenance thread only). */
  private final Map<String, Progress> progress = new HashMap<>();
  private final Duration stallAfter;
  private volatile Map<String, Backlog> backlogs = Map.of();

  /**
   * @param groups per stream, the groups this daemon configures (its initialized pumps that read
   *     the stream) and their bounds
   * @param defaults the bound applied to groups found on a stream that this daemon does not
   *     configure (a pump removed from the config, or configured only on another daemon)
   * @param staleConsumerIdle consumers with nothing pending idle longer than this are removed
   * @param stallAfter a pump that confirmed nothing for this long, with a backlog, is stalled:
   *     only then may its bound drop records
   */
  StreamMaintenance(RedisLink link, Map<StreamKeys, List<GroupBound>> groups, GroupBound defaults,
      Duration staleConsumerIdle, Duration stallAfter, Duration replyTimeout,
      RedisAvailability availability, RedisRefusals refusals, MeterRegistry meters) {
    this.stallAfter = stallAfter;
    this.refusals = refusals;
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
   * The configured pumps that have a backlog and confirmed nothing for {@code stallAfter}: the
   * only ones a bound may drop records for. A pump that confirms records (on any daemon) is making
   * progress, however large its backlog (a catch-up after a restart, a burst): its records stay
   * in Redis, where they are safe, and are delivered. Progress is a pump's done position (records
   * added minus its backlog) growing, summed over its streams; a round where a stream did not
   * answer leaves the record as it was.
   */
  private Set<String> stalled(Map<StreamKeys, StreamState> states) {
    Map<String, long[]> now = new HashMap<>(); // pump -> {done, backlog}
    for (StreamState st : states.values()) {
      for (GroupState gs : st.groups()) {
        if (gs.configured()) {
          long[] n = now.computeIfAbsent(gs.group(), g -> new long[2]);
          n[0] += st.added() - gs.backlog();
          n[1] += gs.backlog();
        }
      }
    }
    boolean complete = states.keySet().containsAll(groups.keySet());
    long t = System.nanoTime();
    Set<String> out = new java.util.HashSet<>();
    now.forEach((pump, n) -> {
      Progress p = progress.get(pump);
      if (p == null || (complete && n[0] != p.done())) {
        p = new Progress(n[0], t); // started, moved on, or counters lost with Redis: a fresh start
        progress.put(pump, p);
      }
      if (n[1] > 0 && t - p.sinceNanos() >= stallAfter.toNanos()) {
        out.add(pump);
      }
    });
    return out;
  }

  /** A pump's done position and since when it has not moved. */
  private record Progress(long done, long sinceNanos) {}

  /**
   * Runs the script on every stream, in two phases: the first trims, creates groups and reports
   * every pump's backlog per stream; when a pump that made no progress for {@code stallAfter} is
   * over its bound (as a whole, over all its streams), a second run on the streams concerned
   * drops its oldest records ({@link BacklogLimits}).
   *
   * @return the state of the streams that answered
   * @throws ExecutionException when no stream answered because Redis is unreachable
   */
  List<StreamState> runOnce() throws ExecutionException, TimeoutException, InterruptedException {
    Map<StreamKeys, StreamState> states = run(groups.keySet(), (g, k) -> -1L);
    BacklogLimits limits = new BacklogLimits(states, stalled(states));
    Set<StreamKeys> cut = limits.streamsToCut();
    if (!cut.isEmpty()) {
      try {
        states.putAll(run(cut, limits::limit));
      } catch (ExecutionException e) {
        LOG.debug("dropping past the bound failed; next run: {}", e.toString());
      }
    }
    List<StreamState> list = List.copyOf(states.values());
    account(list);
    return list;
  }

  /** The records a group may keep in a stream; -1 = no limit. */
  private interface Limit {
    long of(GroupBound g, StreamKeys k);
  }

  private Map<StreamKeys, StreamState> run(Set<StreamKeys> streams, Limit limit)
      throws ExecutionException, TimeoutException, InterruptedException {
    Map<StreamKeys, CompletableFuture<List<Object>>> replies = new LinkedHashMap<>();
    for (StreamKeys k : streams) {
      List<GroupBound> configured = groups.get(k);
      List<byte[]> args = new ArrayList<>();
      args.add(LuaScript.arg(defaults.maxRecords() > 0 ? defaults.maxRecords() : -1));
      args.add(LuaScript.arg(defaults.maxBytes()));
      args.add(LuaScript.arg(staleConsumerIdle.toMillis()));
      args.add(LuaScript.arg(configured.size()));
      for (GroupBound g : configured) {
        args.add(LuaScript.arg(g.group()));
        args.add(LuaScript.arg(limit.of(g, k)));
        args.add(LuaScript.arg(0)); // a pump's byte bound is part of its record limit
      }
      try {
        replies.put(k, LuaScript.TRIM.run(link.commandsFor(k.stream()), ScriptOutputType.MULTI,
            new String[] {k.stream(), k.counters()}, args.toArray(new byte[0][])));
      } catch (RedisException ex) {
        replies.put(k, CompletableFuture.failedFuture(ex));
      }
    }
    long deadline = System.nanoTime() + replyTimeout.toNanos();
    Map<StreamKeys, StreamState> states = new LinkedHashMap<>();
    ExecutionException failure = null;
    boolean answered = false;
    for (Map.Entry<StreamKeys, CompletableFuture<List<Object>>> e : replies.entrySet()) {
      try {
        states.put(e.getKey(), parse(e.getKey(), e.getValue().get(
            Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)));
        refusals.accepted("maintain the delivery streams", e.getKey().stream());
        answered = true;
      } catch (ExecutionException ex) {
        Throwable cause = Causes.unwrap(ex);
        if (RedisAvailability.answeredWithError(cause)) {
          refusals.refused("maintain the delivery streams", e.getKey().stream(),
              String.valueOf(cause.getMessage())); // reachable, but refusing
          answered = true;
        } else {
          failure = ex;
        }
      }
    }
    if (!answered && failure != null) {
      throw failure;
    }
    availability.up();
    return states;
  }

  /**
   * Splits each pump's backlog bound over its streams so that the bound holds for the pump as a
   * whole and its OLDEST records go first whatever stream they are in. A stream's waiting records
   * are taken as spread evenly between the age of the oldest one the pump has not confirmed and
   * the age of the stream's newest entry (both known from entry IDs); the cut age {@code X} is the
   * one at which the records younger than {@code X}, over all streams, just fit the bound, and
   * each stream keeps its records younger than {@code X}. The byte bound becomes a record bound
   * through the streams' average record size.
   */
  private final class BacklogLimits {
    private final Map<StreamKeys, StreamState> states;
    private final Map<String, Map<StreamKeys, Long>> limits = new LinkedHashMap<>();

    BacklogLimits(Map<StreamKeys, StreamState> states, Set<String> stalled) {
      this.states = states;
      for (List<GroupBound> list : groups.values()) {
        for (GroupBound g : list) {
          if (!limits.containsKey(g.group())) {
            limits.put(g.group(), stalled.contains(g.group()) ? split(g) : Map.of());
          }
        }
      }
    }

    /** The streams where some pump must drop records. */
    Set<StreamKeys> streamsToCut() {
      Set<StreamKeys> out = new java.util.LinkedHashSet<>();
      limits.values().forEach(m -> out.addAll(m.keySet()));
      return out;
    }

    long limit(GroupBound g, StreamKeys k) {
      return limits.getOrDefault(g.group(), Map.of()).getOrDefault(k, -1L);
    }

    /** The pump's bound in records (0 = none), its byte bound converted at the average size. */
    private long bound(GroupBound g) {
      long records = g.maxRecords();
      long added = 0;
      long bytes = 0;
      for (StreamState st : states.values()) {
        added += st.added();
        bytes += st.addedBytes();
      }
      if (g.maxBytes() > 0 && added > 0 && bytes > 0) {
        long byBytes = Math.max(1, (long) (g.maxBytes() / ((double) bytes / added)));
        records = records == 0 ? byBytes : Math.min(records, byBytes);
      }
      return records;
    }

    /** Per stream, what the pump keeps there, only for the streams where it must drop. */
    private Map<StreamKeys, Long> split(GroupBound g) {
      long bound = bound(g);
      List<Waiting> mine = new ArrayList<>();
      long total = 0;
      for (StreamState st : states.values()) {
        for (GroupState gs : st.groups()) {
          if (gs.group().equals(g.group()) && gs.backlog() > 0) {
            long newest = Math.max(0, Math.min(st.newestAgeMillis(), gs.lagMillis()));
            mine.add(new Waiting(st.keys(), gs.backlog(), Math.max(gs.lagMillis(), newest), newest));
            total += gs.backlog();
          }
        }
      }
      Map<StreamKeys, Long> out = new LinkedHashMap<>();
      if (bound == 0 || total <= bound) {
        return out;
      }
      // the largest cut age whose younger records still fit
      double lo = 0;
      double hi = mine.stream().mapToLong(Waiting::oldest).max().orElse(0) + 1;
      for (int i = 0; i < 64; i++) {
        double mid = (lo + hi) / 2;
        if (keptAll(mine, mid) > bound) {
          hi = mid;
        } else {
          lo = mid;
        }
      }
      long[] keep = new long[mine.size()];
      long left = bound;
      for (int i = 0; i < mine.size(); i++) {
        keep[i] = (long) Math.floor(mine.get(i).kept(lo));
        left -= keep[i];
      }
      // what the bound still allows goes to the records just older than the cut, youngest first
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < mine.size(); i++) {
        order.add(i);
      }
      order.sort((a, b) -> Long.compare(mine.get(a).newest(), mine.get(b).newest()));
      for (int i : order) {
        long more = Math.min(left, mine.get(i).backlog() - keep[i]);
        if (more > 0 && mine.get(i).kept(hi) > keep[i]) {
          keep[i] += more;
          left -= more;
        }
      }
      for (int i = 0; i < mine.size(); i++) {
        if (keep[i] < mine.get(i).backlog()) {
          out.put(mine.get(i).keys(), Math.max(0, keep[i]));
        }
      }
      return out;
    }

    private static double keptAll(List<Waiting> mine, double cutAge) {
      double kept = 0;
      for (Waiting w : mine) {
        kept += w.kept(cutAge);
      }
      return kept;
    }
  }

  /**
   * A pump's records waiting in one stream: how many, and the ages (ms) of the oldest and the
   * newest of them.
   */
  private record Waiting(StreamKeys keys, long backlog, long oldest, long newest) {
    /** Records younger than {@code cutAge}, taking them as spread evenly over their ages. */
    double kept(double cutAge) {
      if (cutAge <= newest) {
        return 0;
      }
      if (cutAge > oldest || oldest == newest) {
        return backlog;
      }
      return backlog * (cutAge - newest) / (double) (oldest - newest);
    }
  }

  private static StreamState parse(StreamKeys k, List<Object> reply) {
    List<GroupState> gs = new ArrayList<>();
    for (int i = 5; i < reply.size(); i++) {
      List<?> row = (List<?>) reply.get(i);
      gs.add(new GroupState(new String((byte[]) row.get(0), StandardCharsets.UTF_8),
          (Long) row.get(1), (Long) row.get(2), (Long) row.get(3), (Long) row.get(4),
          ((Long) row.get(5)) == 1L));
    }
    return new StreamState(k, (Long) reply.get(0), (Long) reply.get(1), (Long) reply.get(2),
        (Long) reply.get(3), (Long) reply.get(4), gs);
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
          LOG.warn("Pump {} fell behind by more than its backlog bound, confirming nothing for "
              + "{} s: dropped its {} oldest records from {} (for this pump only; {} dropped "
              + "since start). Fix the sink, or raise max_backlog_records/max_backlog_bytes.",
              g.group(), stallAfter.toSeconds(), g.dropped(), s.keys().stream(), total);
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
