package io.pumpd.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The whole daemon configuration: Tyk Pump's {@code pump.conf} keys with Tyk's defaults ({@code
 * reference/tyk-pump.md} §4.2), plus this daemon's own additions (marked below). Env: {@code
 * TYK_PMP_<FIELD>}; see {@code README.md} for every name.
 *
 * <p>Bound once at startup and then read-only; safe to share between threads after that.
 */
public final class PumpConfiguration implements SelfValidating {
  private static final Set<String> LOG_LEVELS = Set.of("debug", "info", "warn", "error");
  private static final Set<String> LOG_FORMATS = Set.of("text", "json", "legacy");
  private static final Set<String> DELIVERY_GUARANTEES = Set.of("at_most_once", "at_least_once");

  /** Seconds between purge cycles. Tyk has no default (0 hangs); ours is 10; must be > 0. */
  @JsonProperty("purge_delay")
  private int purgeDelay = 10;

  /** Records per Redis pop; 0 means Tyk's drain-everything (we still pop in internal chunks). */
  @JsonProperty("purge_chunk")
  private long purgeChunk;

  /** TTL (s) re-applied to a key after each chunk pop; forced to 60 when purge_chunk > 0. */
  @JsonProperty("storage_expiration_time")
  private long storageExpirationTime;

  @JsonProperty("dont_purge_uptime_data")
  private boolean dontPurgeUptimeData;

  /** Accepted for compatibility; Mongo/SQL uptime pumps are not implemented. */
  @JsonProperty("uptime_pump_config")
  private ObjectNode uptimePumpConfig = JsonNodeFactory.instance.objectNode();

  @JsonProperty("analytics_storage_type")
  private String analyticsStorageType = "";

  @JsonProperty("analytics_storage_config")
  private StorageConfig analyticsStorageConfig = new StorageConfig();

  @JsonProperty("statsd_connection_string")
  private String statsdConnectionString = "";

  @JsonProperty("statsd_prefix")
  private String statsdPrefix = "";

  @JsonProperty("log_level")
  private String logLevel = "info";

  @JsonProperty("log_format")
  private String logFormat = "text";

  @JsonProperty("health_check_endpoint_name")
  private String healthCheckEndpointName = "health";

  @JsonProperty("health_check_endpoint_port")
  private int healthCheckEndpointPort = 8083;

  /**
   * This daemon's addition: the address the health port listens on, an IP literal or a host name;
   * empty (the default) listens on all interfaces, as Tyk Pump does.
   */
  @JsonProperty("health_check_endpoint_address")
  private String healthCheckEndpointAddress = "";

  @JsonProperty("enable_http_profiler")
  @EnvName("HTTPPROFILE")
  private boolean enableHttpProfiler;

  /** Global fallback for trimming raw request/response (bytes); a pump's own value wins. */
  @JsonProperty("max_record_size")
  private int maxRecordSize;

  /**
   * Global {@code omit_detailed_recording}. A no-op in Tyk since 2022 (its §8.6); here it applies
   * to every pump, as documented.
   */
  @JsonProperty("omit_detailed_recording")
  private boolean omitDetailedRecording;

  @JsonProperty("omit_config_file")
  private boolean omitConfigFile;

  /** Deprecated no-ops in Tyk; a warning is logged when set. */
  @JsonProperty("raw_request_decoded")
  @EnvName("DECODERAWREQUEST")
  private boolean rawRequestDecoded;

  @JsonProperty("raw_response_decoded")
  @EnvName("DECODERAWRESPONSE")
  private boolean rawResponseDecoded;

  /** Secret stores for kv:// references: accepted, not supported (a warning is logged). */
  @JsonProperty("kv")
  private ObjectNode kv = JsonNodeFactory.instance.objectNode();

  @JsonProperty("pumps")
  private Map<String, PumpEntry> pumps = new LinkedHashMap<>();

  /** Seconds the whole shutdown may take (env TYK_PMP_GRACEFULSHUTDOWNTIMEOUTDURATION). */
  @JsonProperty("graceful_shutdown_timeout_duration")
  private int gracefulShutdownTimeoutDuration = 30;

  // ---- this daemon's additions ----

  /**
   * {@code at_least_once} (the default: records stay in Redis until every pump has them; see
   * {@code docs/DELIVERY.md}) or {@code at_most_once} (Tyk's {@code MULTI{LRANGE;LTRIM}}: popped
   * records are lost if the daemon dies before the pumps have them).
   */
  @JsonProperty("delivery_guarantee")
  private String deliveryGuarantee = "at_least_once";

  /** Settings of the at_least_once mode (env TYK_PMP_DELIVERY_*). */
  @JsonProperty("delivery")
  private DeliveryConfig delivery = new DeliveryConfig();

  /** Where undecodable and rejected records are kept (JSON lines, one file per day). */
  @JsonProperty("dead_letter_dir")
  private String deadLetterDir = "dead-letter";

  /**
   * Largest gateway element (bytes) the daemon decodes; a larger one, or one that would take more
   * than twice this on the heap once decoded, is dead-lettered with its bytes. 0 = automatic:
   * 1/16 of the JVM's maximum heap, at least 1 MiB.
   */
  @JsonProperty("max_element_bytes")
  private long maxElementBytes;

  /** Records popped per Redis round trip when purge_chunk is 0. */
  @JsonProperty("internal_chunk_size")
  private int internalChunkSize = 5000;

  /** Most records one purge cycle drains before yielding to the next cycle. */
  @JsonProperty("max_records_per_cycle")
  private int maxRecordsPerCycle = 200_000;

  @JsonProperty("readiness_endpoint_name")
  private String readinessEndpointName = "ready";

  @JsonProperty("metrics_endpoint_name")
  private String metricsEndpointName = "metrics";

  public int purgeDelaySeconds() {
    return purgeDelay;
  }

  public long purgeChunk() {
    return purgeChunk;
  }

  /** {@code storage_expiration_time}, with Tyk's rule: 60 when chunked and unset. */
  public long effectiveStorageExpirationSeconds() {
    if (purgeChunk > 0 && storageExpirationTime == 0) {
      return 60;
    }
    return storageExpirationTime;
  }

  public boolean dontPurgeUptimeData() {
    return dontPurgeUptimeData;
  }

  public ObjectNode uptimePumpConfig() {
    return uptimePumpConfig;
  }

  public String analyticsStorageType() {
    return analyticsStorageType == null ? "" : analyticsStorageType;
  }

  public StorageConfig analyticsStorageConfig() {
    return analyticsStorageConfig == null ? new StorageConfig() : analyticsStorageConfig;
  }

  /** {@code debug}, {@code info}, {@code warn} or {@code error}, lower-cased; empty means info. */
  public String logLevel() {
    return logLevel == null || logLevel.isEmpty() ? "info" : logLevel.toLowerCase(Locale.ROOT);
  }

  /** {@code text}, {@code json} or {@code legacy}, lower-cased; empty means text. */
  public String logFormat() {
    return logFormat == null || logFormat.isEmpty() ? "text" : logFormat.toLowerCase(Locale.ROOT);
  }

  public String healthCheckEndpointName() {
    return healthCheckEndpointName == null || healthCheckEndpointName.isEmpty()
        ? "health"
        : healthCheckEndpointName;
  }

  public int healthCheckEndpointPort() {
    return healthCheckEndpointPort;
  }

  /** The address to listen on; empty means all interfaces. */
  public String healthCheckEndpointAddress() {
    return healthCheckEndpointAddress == null ? "" : healthCheckEndpointAddress;
  }

  public boolean enableHttpProfiler() {
    return enableHttpProfiler;
  }

  public int maxRecordSize() {
    return maxRecordSize;
  }

  public boolean omitDetailedRecording() {
    return omitDetailedRecording;
  }

  public boolean omitConfigFile() {
    return omitConfigFile;
  }

  public boolean rawRequestDecoded() {
    return rawRequestDecoded;
  }

  public boolean rawResponseDecoded() {
    return rawResponseDecoded;
  }

  public ObjectNode kv() {
    return kv;
  }

  /** Pumps by instance name, in file order. */
  public Map<String, PumpEntry> pumps() {
    return pumps == null ? Map.of() : pumps;
  }

  public int gracefulShutdownTimeoutSeconds() {
    return gracefulShutdownTimeoutDuration;
  }

  public String deliveryGuarantee() {
    return deliveryGuarantee == null ? "at_least_once" : deliveryGuarantee;
  }

  /** {@code delivery}: the at_least_once settings. */
  public DeliveryConfig delivery() {
    return delivery == null ? new DeliveryConfig() : delivery;
  }

  /** True when {@code delivery_guarantee} is {@code at_least_once}. */
  public boolean atLeastOnce() {
    return "at_least_once".equals(deliveryGuarantee());
  }

  public String deadLetterDir() {
    return deadLetterDir == null || deadLetterDir.isEmpty() ? "dead-letter" : deadLetterDir;
  }

  /** {@code max_element_bytes} as configured (0 = automatic). */
  public long maxElementBytes() {
    return maxElementBytes;
  }

  /**
   * {@code max_element_bytes}, or when 0, 1/16 of {@code maxHeapBytes} (the JVM's {@link
   * Runtime#maxMemory()}), at least 1 MiB.
   */
  public long effectiveMaxElementBytes(long maxHeapBytes) {
    return maxElementBytes > 0 ? maxElementBytes : Math.max(1L << 20, maxHeapBytes / 16);
  }

  public int internalChunkSize() {
    return internalChunkSize;
  }

  public int maxRecordsPerCycle() {
    return maxRecordsPerCycle;
  }

  public String readinessEndpointName() {
    return readinessEndpointName == null || readinessEndpointName.isEmpty()
        ? "ready"
        : readinessEndpointName;
  }

  public String metricsEndpointName() {
    return metricsEndpointName == null || metricsEndpointName.isEmpty()
        ? "metrics"
        : metricsEndpointName;
  }

  public String statsdConnectionString() {
    return statsdConnectionString;
  }

  public String statsdPrefix() {
    return statsdPrefix;
  }

  /**
   * Checks the top-level values, {@code analytics_storage_config} and each pump entry's core
   * options. Pump types and {@code meta} are checked by the loader, which knows the registered
   * types.
   */
  @Override
  public void validate(ConfigProblems problems) {
    if (purgeDelay <= 0) {
      problems.add("purge_delay", "must be > 0 (seconds between purge cycles; with 0 Tyk Pump never purges)");
    }
    if (purgeChunk < 0) {
      problems.add("purge_chunk", "must be >= 0 (0 = drain everything)");
    }
    if (storageExpirationTime < 0) {
      problems.add("storage_expiration_time", "must be >= 0 seconds");
    }
    if (gracefulShutdownTimeoutDuration <= 0) {
      problems.add("graceful_shutdown_timeout_duration", "must be > 0 seconds");
    }
    oneOf(problems, "log_level", logLevel(), LOG_LEVELS, "debug, info, warn or error");
    oneOf(problems, "log_format", logFormat(), LOG_FORMATS, "text, json or legacy");
    if (!analyticsStorageType().isEmpty() && !analyticsStorageType().equals("redis")) {
      problems.add("analytics_storage_type",
          "\"" + analyticsStorageType() + "\" is not supported; use \"redis\" or leave it empty");
    }
    if (healthCheckEndpointPort < 1 || healthCheckEndpointPort > 65535) {
      problems.add("health_check_endpoint_port", "must be between 1 and 65535");
    }
    if (!healthCheckEndpointAddress().isEmpty()) {
      BindAddress.problem(healthCheckEndpointAddress())
          .ifPresent(p -> problems.add("health_check_endpoint_address", p));
    }
    if (maxRecordSize < 0) {
      problems.add("max_record_size", "must be >= 0 bytes (0 = no trimming)");
    }
    oneOf(problems, "delivery_guarantee", deliveryGuarantee(), DELIVERY_GUARANTEES,
        "at_most_once or at_least_once");
    if (maxElementBytes < 0) {
      problems.add("max_element_bytes", "must be >= 0 bytes (0 = 1/16 of the JVM heap)");
    }
    if (internalChunkSize <= 0) {
      problems.add("internal_chunk_size", "must be > 0 records");
    }
    if (maxRecordsPerCycle <= 0) {
      problems.add("max_records_per_cycle", "must be > 0 records");
    }
    if (readinessEndpointName().equals(healthCheckEndpointName())) {
      problems.add("readiness_endpoint_name", "must differ from health_check_endpoint_name");
    }
    if (metricsEndpointName().equals(healthCheckEndpointName())
        || metricsEndpointName().equals(readinessEndpointName())) {
      problems.add("metrics_endpoint_name",
          "must differ from health_check_endpoint_name and readiness_endpoint_name");
    }
    analyticsStorageConfig().validate(problems.under("analytics_storage_config"));
    delivery().validate(problems.under("delivery"));
    pumps().forEach((name, entry) -> entry.validate(problems.under("pumps." + name)));
  }

  private static void oneOf(
      ConfigProblems problems, String key, String value, Set<String> allowed, String hint) {
    if (!allowed.contains(value)) {
      problems.add(key, "\"" + value + "\" is not supported; use " + hint);
    }
  }
}
