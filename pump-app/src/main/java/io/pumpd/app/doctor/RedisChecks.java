package io.pumpd.app.doctor;

import io.lettuce.core.RedisException;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.pumpd.app.redis.stream.StreamKeys;
import io.pumpd.app.redis.AnalyticsKeys;
import io.pumpd.app.redis.RedisLink;
import io.pumpd.core.concurrent.Causes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * What {@code pump doctor} reads from Redis: memory use and fragmentation, the eviction policy,
 * persistence, the gateway lists' backlog (msgpack and protobuf analytics lists, the uptime list)
 * and TTL, lists that nothing drains and that never expire ({@link DrainedLists}), and (in {@code
 * at_least_once}) what each pump's consumer group has pending. Read-only: INFO, CONFIG GET, LLEN,
 * PTTL, XINFO. In Cluster mode the server-wide figures come from the node serving the first
 * analytics key. Not thread-safe; one run.
 */
final class RedisChecks {
  /** A non-empty list whose TTL is below this expires before anything reads it. */
  static final Duration EXPIRY_WARNING = Duration.ofSeconds(10);
  /** Fragmentation is only meaningful above this much memory in use. */
  private static final long FRAGMENTATION_FLOOR_BYTES = 64L << 20;

  private final RedisLink link;
  private final AnalyticsKeys keys;
  private final DrainedLists drained;
  private final String streamSuffix;
  private final boolean atLeastOnce;
  private final Duration timeout;

  /**
   * @param drained which lists the configuration drains
   * @param streamSuffix the at_least_once stream suffix ({@code delivery.stream_suffix})
   * @param atLeastOnce whether to report the consumer groups
   * @param timeout how long to wait for each reply
   */
  RedisChecks(RedisLink link, AnalyticsKeys keys, DrainedLists drained, String streamSuffix,
      boolean atLeastOnce, Duration timeout) {
    this.link = link;
    this.keys = keys;
    this.drained = drained;
    this.streamSuffix = streamSuffix;
    this.atLeastOnce = atLeastOnce;
    this.timeout = timeout;
  }

  /** Every Redis finding; one failure finding when Redis cannot be reached. */
  List<Finding> run() {
    List<Finding> out = new ArrayList<>();
    String first = keys.analytics().get(0);
    Map<String, String> info;
    try {
      RedisAsyncCommands<String, byte[]> c = link.commandsFor(first);
      info = parseInfo(get(c.info("server")) + get(c.info("memory")) + get(c.info("persistence")));
    } catch (RedisException | ExecutionException | TimeoutException e) {
      out.add(Finding.fail("redis", link.describe(), "unreachable: " + rootMessage(e)));
      return out;
    }
    out.add(Finding.ok("redis", link.describe(), "Redis " + info.getOrDefault("redis_version", "?")
        + ", up " + info.getOrDefault("uptime_in_seconds", "?") + " s"));
    out.add(memory(info));
    out.add(policy(info));
    out.add(persistence(info, first));
    out.addAll(backlog());
    return out;
  }

  private Finding memory(Map<String, String> info) {
    long used = number(info.get("used_memory"));
    long max = number(info.get("maxmemory"));
    double fragmentation = decimal(info.get("mem_fragmentation_ratio"));
    String detail = "used " + mib(used) + (max > 0 ? " of " + mib(max) : " (no maxmemory)")
        + ", fragmentation ratio " + info.getOrDefault("mem_fragmentation_ratio", "?");
    if (max > 0 && used > max * 0.8) {
      return Finding.warn("redis", "memory", detail + ": above 80 % of maxmemory; at the limit "
          + "the gateway's pushes fail or keys are evicted");
    }
    if (used >= FRAGMENTATION_FLOOR_BYTES && fragmentation > 1.5) {
      return Finding.warn("redis", "memory", detail + ": fragmented; consider activedefrag or a "
          + "restart in a quiet hour");
    }
    return Finding.ok("redis", "memory", detail);
  }

  private static Finding policy(Map<String, String> info) {
    String policy = info.getOrDefault("maxmemory_policy", "?");
    if (policy.startsWith("allkeys-")) {
      return Finding.warn("redis", "maxmemory_policy", policy + ": under memory pressure Redis "
          + "evicts any key, including the gateway's lists and the pump's streams and batches "
          + "(records lost); use noeviction or a volatile-* policy");
    }
    return Finding.ok("redis", "maxmemory_policy", policy);
  }

  private Finding persistence(Map<String, String> info, String key) {
    boolean aof = "1".equals(info.get("aof_enabled"));
    if (aof && !"ok".equals(info.get("aof_last_write_status"))) {
      return Finding.fail("redis", "persistence", "AOF on, last write status "
          + info.get("aof_last_write_status"));
    }
    if (!"ok".equals(info.getOrDefault("rdb_last_bgsave_status", "ok"))) {
      return Finding.fail("redis", "persistence", "last RDB save status "
          + info.get("rdb_last_bgsave_status"));
    }
    if (aof) {
      return Finding.ok("redis", "persistence", "AOF on, last write ok");
    }
    String save;
    try {
      Map<String, String> conf = get(link.commandsFor(key).configGet("save"));
      save = conf.getOrDefault("save", "");
    } catch (RedisException | ExecutionException | TimeoutException e) {
      return Finding.ok("redis", "persistence", "AOF off; RDB schedule unreadable (CONFIG "
          + "disabled?): " + rootMessage(e));
    }
    if (save.isBlank()) {
      return Finding.warn("redis", "persistence", "neither AOF nor RDB snapshots: a Redis restart "
          + "loses every record waiting in it (and with at_least_once the delivery state)");
    }
    return Finding.ok("redis", "persistence", "RDB snapshots (save " + save + "), last save ok");
  }

  /**
   * Non-empty gateway lists (in Tyk's read order, then the uptime list) with their TTL, the total
   * per kind (msgpack, protobuf, uptime), and what each pump's group has pending.
   */
  private List<Finding> backlog() {
    List<String> lists = new ArrayList<>(keys.readOrder());
    lists.add(keys.uptime());
    List<Finding> out = new ArrayList<>();
    Map<String, Long> byKind = new LinkedHashMap<>();
    byKind.put("msgpack", 0L);
    byKind.put("protobuf", 0L);
    byKind.put("uptime", 0L);
    Map<String, long[]> groups = new LinkedHashMap<>();
    for (String list : lists) {
      try {
        RedisAsyncCommands<String, byte[]> c = link.commandsFor(list);
        long length = get(c.llen(list));
        byKind.merge(kind(list), length, Long::sum);
        if (length > 0) {
          out.add(listFinding(list, length, get(c.pttl(list))));
        }
        if (atLeastOnce) {
          addGroups(c, StreamKeys.of(list, streamSuffix, list.equals(keys.uptime())).stream(),
              groups);
        }
      } catch (RedisException | ExecutionException | TimeoutException e) {
        out.add(Finding.fail("backlog", list, "cannot read: " + rootMessage(e)));
      }
    }
    long total = byKind.values().stream().mapToLong(Long::longValue).sum();
    if (out.isEmpty()) {
      out.add(Finding.ok("backlog", "gateway lists", "empty (" + lists.size() + " lists)"));
    } else {
      out.add(0, Finding.ok("backlog", "gateway lists", total + " records waiting ("
          + byKind.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
              .collect(Collectors.joining(", ")) + ")"));
    }
    groups.forEach((pump, n) -> out.add(Finding.ok("backlog", "pump " + pump,
        n[0] + " entries read but unconfirmed, " + (n[1] < 0 ? "lag unknown (Redis < 7)"
            : n[1] + " entries not read yet"))));
    return out;
  }

  /** {@code msgpack}, {@code protobuf} or {@code uptime}. */
  private String kind(String list) {
    return list.equals(keys.uptime()) ? "uptime" : keys.isProtobuf(list) ? "protobuf" : "msgpack";
  }

  private Finding listFinding(String list, long length, long ttlMillis) {
    String detail = length + " records, " + (ttlMillis < 0 ? "no TTL" : "TTL " + ttlMillis / 1000 + " s");
    Optional<String> undrained = ttlMillis < 0 ? drained.undrained(list) : Optional.empty();
    if (undrained.isPresent()) {
      return Finding.warn("backlog", list, detail + ", and nothing drains it: it grows until Redis"
          + " runs out of memory; " + undrained.get());
    }
    if (ttlMillis >= 0 && ttlMillis < EXPIRY_WARNING.toMillis()) {
      return Finding.warn("backlog", list, detail + ": they expire unread soon (is a pump "
          + "draining this Redis?)");
    }
    return Finding.ok("backlog", list, detail);
  }

  /** Adds each group's pending count and lag on {@code stream} to {@code groups}. */
  private void addGroups(RedisAsyncCommands<String, byte[]> c, String stream,
      Map<String, long[]> groups) throws ExecutionException, TimeoutException {
    if (get(c.exists(stream)) == 0) {
      return;
    }
    for (Object g : get(c.xinfoGroups(stream))) {
      if (!(g instanceof List<?> fields)) {
        continue;
      }
      Map<String, Object> f = new LinkedHashMap<>();
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        f.put(text(fields.get(i)), fields.get(i + 1));
      }
      long[] n = groups.computeIfAbsent(text(f.get("name")), k -> new long[] {0, 0});
      n[0] += f.get("pending") instanceof Long p ? p : 0;
      if (f.get("lag") instanceof Long lag && n[1] >= 0) {
        n[1] += lag;
      } else {
        n[1] = -1;
      }
    }
  }

  private <T> T get(Future<T> f) throws ExecutionException, TimeoutException {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TimeoutException("interrupted");
    }
  }

  static Map<String, String> parseInfo(String info) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : info.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        out.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    return out;
  }

  private static String text(Object o) {
    return o instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8)
        : String.valueOf(o);
  }

  private static long number(String s) {
    try {
      return s == null ? 0 : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static double decimal(String s) {
    try {
      return s == null ? 0 : Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / 1048576.0);
  }

  static String rootMessage(Throwable e) {
    return String.valueOf(Causes.root(e).getMessage());
  }
}
