package io.pumpd.core.engine;

import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.GeoData;
import io.pumpd.core.record.GoTime;
import io.pumpd.core.record.GraphQLStats;
import io.pumpd.core.record.Latency;
import io.pumpd.core.record.McpStats;
import io.pumpd.core.record.NetworkStats;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The top-level record fields {@code ignore_fields} can blank, by Tyk json tag, each with the
 * action that resets it to its Go zero value (as Tyk's {@code RemoveIgnoredFields} does).
 */
final class IgnorableFields {
  private static final Map<String, Consumer<AnalyticsRecord>> ZEROERS =
      Map.ofEntries(
          Map.entry("method", r -> r.setMethod("")),
          Map.entry("host", r -> r.setHost("")),
          Map.entry("path", r -> r.setPath("")),
          Map.entry("raw_path", r -> r.setRawPath("")),
          Map.entry("content_length", r -> r.setContentLength(0)),
          Map.entry("user_agent", r -> r.setUserAgent("")),
          Map.entry("day", r -> r.setDay(0)),
          Map.entry("month", r -> r.setMonth(0)),
          Map.entry("year", r -> r.setYear(0)),
          Map.entry("hour", r -> r.setHour(0)),
          Map.entry("response_code", r -> r.setResponseCode(0)),
          Map.entry("api_key", r -> r.setApiKey("")),
          Map.entry("timestamp", r -> r.setTimeStamp(GoTime.ZERO)),
          Map.entry("api_version", r -> r.setApiVersion("")),
          Map.entry("api_name", r -> r.setApiName("")),
          Map.entry("api_id", r -> r.setApiId("")),
          Map.entry("org_id", r -> r.setOrgId("")),
          Map.entry("oauth_id", r -> r.setOauthId("")),
          Map.entry("request_time", r -> r.setRequestTime(0)),
          Map.entry("raw_request", r -> r.setRawRequest("")),
          Map.entry("raw_response", r -> r.setRawResponse("")),
          Map.entry("ip_address", r -> r.setIpAddress("")),
          Map.entry("geo", r -> r.setGeo(GeoData.EMPTY)),
          Map.entry("network", r -> r.setNetwork(NetworkStats.EMPTY)),
          Map.entry("latency", r -> r.setLatency(Latency.EMPTY)),
          Map.entry("tags", r -> r.setTags(null)),
          Map.entry("alias", r -> r.setAlias("")),
          Map.entry("track_path", r -> r.setTrackPath(false)),
          Map.entry("expireAt", r -> r.setExpireAt(GoTime.ZERO)),
          Map.entry("api_schema", r -> r.setApiSchema("")),
          Map.entry("original_path", r -> r.setOriginalPath("")),
          Map.entry("listen_path", r -> r.setListenPath("")),
          Map.entry("graphql_stats", r -> r.setGraphQLStats(GraphQLStats.EMPTY)),
          Map.entry("mcp_stats", r -> r.setMcpStats(McpStats.EMPTY)));

  private IgnorableFields() {}

  static boolean isKnown(String jsonName) {
    return ZEROERS.containsKey(jsonName);
  }

  /** Blanks {@code jsonName} on {@code r}; the name must be {@link #isKnown known}. */
  static void zero(AnalyticsRecord r, String jsonName) {
    ZEROERS.get(jsonName).accept(r);
  }
}
