package io.pumpd.app.redis.stream;

import io.lettuce.core.cluster.SlotHash;

/**
 * The Redis keys of one gateway list in {@code at_least_once} mode: the list the gateway pushes
 * to, the pump-owned stream whose entries refer to ranges of the pump's batch lists (the gateway
 * list, renamed), the stream's counters hash, and the batch lists. All of them hash to the list's
 * slot, so one script can touch them in Redis Cluster: the stream key is {@code
 * {<list key>}<suffix>} (its hash tag is the whole list key), or {@code <list key><suffix>} when
 * the list key already has a hash tag of its own.
 *
 * @param list the gateway list, e.g. {@code analytics-tyk-system-analytics}
 * @param stream e.g. {@code {analytics-tyk-system-analytics}:pumpd}
 * @param counters e.g. {@code {analytics-tyk-system-analytics}:pumpd:counters}
 * @param uptime whether the list holds uptime records rather than request analytics
 */
public record StreamKeys(String list, String stream, String counters, boolean uptime) {

  /**
   * The keys for {@code list}.
   *
   * @throws IllegalArgumentException when no stream key in the list's slot can be formed (a list
   *     key with a stray, empty hash tag such as {@code {}x})
   */
  public static StreamKeys of(String list, String suffix, boolean uptime) {
    String stream = hasHashTag(list) ? list + suffix : "{" + list + "}" + suffix;
    if (SlotHash.getSlot(stream) != SlotHash.getSlot(list)) {
      throw new IllegalArgumentException("cannot name a stream in the hash slot of key \"" + list
          + "\" (its braces do not form a hash tag); change key_prefix");
    }
    return new StreamKeys(list, stream, stream + ":counters", uptime);
  }

  /** The batch list {@code move.lua} renamed the gateway list to, for batch number {@code b}. */
  public String batchKey(long b) {
    return stream + ":b:" + b;
  }

  /** True when Redis Cluster would hash only part of {@code key} (a non-empty {@code {...}}). */
  static boolean hasHashTag(String key) {
    int open = key.indexOf('{');
    if (open < 0) {
      return false;
    }
    int close = key.indexOf('}', open + 1);
    return close > open + 1;
  }
}
