package io.pumpd.app.redis;

import java.util.ArrayList;
import java.util.List;

/**
 * The Redis key names a Tyk Gateway writes analytics to and Tyk Pump reads from ({@code
 * reference/tyk-pump.md} §2.1, §2.4), computed from their parts rather than spelled out.
 *
 * <p>Analytics (msgpack): {@code <prefix>tyk-system-analytics} and {@code
 * <prefix>tyk-system-analytics_<i>} for {@code i = 0..9}, in that order (Tyk's {@code i = -1..9}
 * loop). The protobuf keys are not polled: this pump decodes msgpack only. Uptime: {@code
 * host-checker:tyk-uptime-analytics} whatever the analytics prefix, because Tyk's uptime store
 * forces the {@code host-checker:} prefix. Version: {@code version-check-pump}.
 *
 * <p>Immutable and thread-safe.
 */
public final class AnalyticsKeys {
  /** Tyk's {@code storage.ANALYTICS_KEYNAME}. */
  public static final String ANALYTICS_NAME = "tyk-system-analytics";

  /** The gateway picks a shard {@code 0 .. SHARDS-1} when multiple analytics keys are enabled. */
  public static final int SHARDS = 10;

  /** Tyk's {@code storage.UptimeAnalytics_KEYNAME}. */
  public static final String UPTIME_NAME = "tyk-uptime-analytics";

  /** The prefix Tyk's uptime store forces, regardless of {@code key_prefix}. */
  public static final String UPTIME_PREFIX = "host-checker:";

  /** The prefix of Tyk's version store. */
  public static final String VERSION_PREFIX = "version-check-";

  /** The component name Tyk Pump stores its version under. */
  public static final String VERSION_NAME = "pump";

  private final List<String> analytics;

  private AnalyticsKeys(String prefix) {
    List<String> keys = new ArrayList<>(SHARDS + 1);
    keys.add(prefix + ANALYTICS_NAME);
    for (int shard = 0; shard < SHARDS; shard++) {
      keys.add(prefix + ANALYTICS_NAME + "_" + shard);
    }
    this.analytics = List.copyOf(keys);
  }

  /** The keys for an analytics prefix ({@code StorageConfig.effectiveKeyPrefix()}). */
  public static AnalyticsKeys withPrefix(String prefix) {
    return new AnalyticsKeys(prefix == null ? "" : prefix);
  }

  /** The eleven msgpack analytics keys: the base key, then shards 0 to 9. */
  public List<String> analytics() {
    return analytics;
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
