package io.pumpd.sinks.influx2;

import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.RecordJson;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The record values Tyk's influx2 pump can write as tags or fields, under the names its {@code
 * tags} and {@code fields} settings accept ({@code reference/tyk-pump.md} §5.3), with Tyk's Go
 * types: strings, integers (Go {@code int}/{@code int64}) and one time. Immutable.
 */
public enum Influx2Attribute {
  METHOD("method", AnalyticsRecord::getMethod),
  PATH("path", AnalyticsRecord::getPath),
  RESPONSE_CODE("response_code", r -> (long) r.getResponseCode()),
  API_KEY("api_key", AnalyticsRecord::getApiKey),
  TIME_STAMP("time_stamp", AnalyticsRecord::getTimeStamp),
  API_VERSION("api_version", AnalyticsRecord::getApiVersion),
  API_NAME("api_name", AnalyticsRecord::getApiName),
  API_ID("api_id", AnalyticsRecord::getApiId),
  ORG_ID("org_id", AnalyticsRecord::getOrgId),
  OAUTH_ID("oauth_id", AnalyticsRecord::getOauthId),
  RAW_REQUEST("raw_request", AnalyticsRecord::getRawRequest),
  REQUEST_TIME("request_time", AnalyticsRecord::getRequestTime),
  RAW_RESPONSE("raw_response", AnalyticsRecord::getRawResponse),
  IP_ADDRESS("ip_address", AnalyticsRecord::getIpAddress),
  TOTAL_LATENCY("total_latency", r -> r.getLatency().total()),
  UPSTREAM_LATENCY("upstream_latency", r -> r.getLatency().upstream());

  private final String configName;
  private final Function<AnalyticsRecord, Object> getter;

  Influx2Attribute(String configName, Function<AnalyticsRecord, Object> getter) {
    this.configName = configName;
    this.getter = getter;
  }

  /** The name in the {@code tags}/{@code fields} settings, and the tag or field key written. */
  public String configName() {
    return configName;
  }

  /** The attribute Tyk accepts under {@code name}, if any. */
  public static Optional<Influx2Attribute> byName(String name) {
    return Arrays.stream(values()).filter(a -> a.configName.equals(name)).findFirst();
  }

  /** All accepted names, comma-separated, for error messages. */
  public static String acceptedNames() {
    return Arrays.stream(values()).map(Influx2Attribute::configName).collect(Collectors.joining(", "));
  }

  /** The raw value: a {@link String}, {@link Long} or {@link Instant}. */
  Object value(AnalyticsRecord r) {
    return getter.apply(r);
  }

  /**
   * The value as Tyk writes it into a tag: {@code json.Marshal(value)} with the surrounding
   * quotes trimmed, so {@code 200} becomes {@code "200"}, a time its RFC 3339 text, and a string
   * its JSON-escaped text.
   */
  String tagValue(AnalyticsRecord r) {
    Object v = value(r);
    if (v instanceof Instant t) {
      return RecordJson.formatTime(t);
    }
    if (v instanceof String s) {
      return GoJsonText.tagText(s);
    }
    return String.valueOf(v);
  }
}
