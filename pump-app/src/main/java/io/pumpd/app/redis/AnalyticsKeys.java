package io.pumpd.app.redis;

import java.util.ArrayList;
import java.util.List;

/**
 * The Redis key names a Tyk Gateway writes analytics to and Tyk Pump reads from ({@code
 * reference/tyk-pump.md} §2.1, §2.4), computed from their parts rather than spelled out.
 *
 * <p>Analytics (msgpack): {@code <prefix>tyk-system-analytics} and {@code
 * <prefix>tyk-system-analytics_<i>} for {@code i = 0..9}, in that order (Tyk's {@code i = -1..9}
 * loop). Analytics (protobuf, from gateways with {@code analytics_config.serializer_type:
 * "protobuf"}): the same names followed by {@code _protobuf}; Tyk Pump reads each right after its
 * msgpack twin ({@link #readOrder()}). Uptime: {@code host-checker:tyk-uptime-analytics} whatever
 * the analytics prefix, because Tyk's uptime store forces the {@code host-checker:} prefix (uptime
 * records are msgpack whatever the serializer). Version: {@code version-check-pump}.
 *
 * <p>Immutable and thread-safe.
 */
public final class AnalyticsKeys {
  /** Tyk's {@code storage.ANALYTICS_KEYNAME}. */
  public static final String ANALYTICS_NAME = "tyk-system-analytics";

  /** The gateway picks a shard {@code 0 .. SHARDS-1} when multiple analytics keys are enabled. */
  public static final int SHARDS = 10;

  /** What a gateway with {@code serializer_type: "protobuf"} appends to an analytics key. */
  public static final String PROTOBUF_SUFFIX = "_protobuf";

  /** Tyk's {@code storage.UptimeAnalytics_KEYNAME}. */
  public static final String UPTIME_NAME = "tyk-uptime-analytics";

  /** The prefix Tyk's uptime store forces, regardless of {@code key_prefix}. */
  public static final String UPTIME_PREFIX = "host-checker:";

  /** The prefix of Tyk's version store. */
  public static final String VERSION_PREFIX = "version-check-";

  /** The component name Tyk Pump stores its version under. */
  public static final String VERSION_NAME = "pump";

  private final List<String> analytics;
  private final List<String> protobufAnalytics;
  private final List<String> readOrder;

  private AnalyticsKeys(String prefix) {
    List<String> keys = new ArrayList<>(SHARDS + 1);
    keys.add(prefix + ANALYTICS_NAME);
    for (int shard = 0; shard < SHARDS; shard++) {
      keys.add(prefix + ANALYTICS_NAME + "_" + shard);
    }
    this.analytics = List.copyOf(keys);
    this.protobufAnalytics = analytics.stream().map(k -> k + PROTOBUF_SUFFIX).toList();
    List<String> both = new ArrayList<>(2 * analytics.size());
    for (int i = 0; i < analytics.size(); i++) {
      both.add(analytics.get(i));
      both.add(protobufAnalytics.get(i));
    }
    this.readOrder = List.copyOf(both);
  }

  /** The keys for an analytics prefix ({@code StorageConfig.effectiveKeyPrefix()}). */
  public static AnalyticsKeys withPrefix(String prefix) {
    return new AnalyticsKeys(prefix == null ? "" : prefix);
  }

  /** The eleven msgpack analytics keys: the base key, then shards 0 to 9. */
  public List<String> analytics() {
    return analytics;
  }

  /**
   * The eleven protobuf analytics keys, in Tyk Pump's read order: the base key's, then shards 0 to
   * 9 ({@code <prefix>tyk-system-analytics_protobuf}, {@code
   * <prefix>tyk-system-analytics_0_protobuf}, ...); the key at index {@code i} is {@link
   * #analytics()}'s key at {@code i} followed by {@link #PROTOBUF_SUFFIX}.
   */
  public List<String> protobufAnalytics() {
    return protobufAnalytics;
  }

  /**
   * All 22 analytics keys in the order Tyk Pump reads them each purge: every msgpack key followed
   * by its protobuf twin ({@code tyk-system-analytics}, {@code tyk-system-analytics_protobuf},
   * {@code tyk-system-analytics_0}, {@code tyk-system-analytics_0_protobuf}, ...).
   */
  public List<String> readOrder() {
    return readOrder;
  }

  /** Whether {@code key} is one of the {@linkplain #protobufAnalytics() protobuf keys}. */
  public boolean isProtobuf(String key) {
    return protobufAnalytics.contains(key);
  }

  /** {@code host-checker:tyk-uptime-analytics}. */
  public String uptime() {
    return UPTIME_PREFIX + UPTIME_NAME;
  }

  /** {@code version-check-pump}. */
  public String version() {
    return VERSION_PREFIX + VERSION_NAME;
  }
}
