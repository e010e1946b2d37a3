package io.pumpd.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.GeoData;
import io.pumpd.core.record.GoTime;
import io.pumpd.core.record.GraphQLStats;
import io.pumpd.core.record.McpStats;
import io.pumpd.core.record.UptimeRecord;
import io.pumpd.core.testing.Fixtures;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Every accessor of every decoded fixture record against its {@code .jsonl} twin (parsed with
 * Jackson, independent of {@code RecordJson}), and {@code CollectionName} (not in JSON) against a
 * generic msgpack reading of the element. Legacy records lack keys: those must come out as Go
 * zero values.
 */
class FixtureFieldByFieldTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long TWO_POW_32 = 1L << 32;

  private final MsgpackRecordDecoder decoder = new MsgpackRecordDecoder();

  @Test
  void modernRecordsDecodeFieldByField() throws Exception {
    Coverage seen = checkAll(Fixtures.MODERN, 1000);
    // the fixture exercises these on purpose; make sure this test really compared them
    assertThat(seen.contentLengthAbove32Bits).isPositive();
    assertThat(seen.zeroTime).isPositive();
    assertThat(seen.nilTags).isPositive();
    assertThat(seen.cityNames).isPositive();
    assertThat(seen.nonZeroCoordinates).isPositive();
    assertThat(seen.mixedPath).isPositive();
    assertThat(seen.graphQl).isPositive();
    assertThat(seen.mcp).isPositive();
    assertThat(seen.nonAscii).isPositive();
  }

  @Test
  void legacyRecordsDecodeFieldByFieldWithMissingKeysAtZero() throws Exception {
    Coverage seen = checkAll(Fixtures.LEGACY, 200);
    assertThat(seen.contentLengthAbove32Bits).isPositive();
    assertThat(seen.nilTags).isPositive();
    for (byte[] raw : Fixtures.raw(Fixtures.LEGACY)) {
      Map<String, Object> wire = Msgpack.unpackMap(raw);
      assertThat(wire).doesNotContainKeys("OriginalPath", "ListenPath", "ApiSchema", "GraphQLStats",
          "MCPStats", "CollectionName");
      AnalyticsRecord r = decoder.decodeRecord(raw);
      assertThat(r.getLatency().gateway()).isZero();
      assertThat(r.getOriginalPath()).isEmpty();
      assertThat(r.getListenPath()).isEmpty();
      assertThat(r.getApiSchema()).isEmpty();
      assertThat(r.getGraphQLStats()).isEqualTo(GraphQLStats.EMPTY);
      assertThat(r.getMcpStats()).isEqualTo(McpStats.EMPTY);
      assertThat(r.getCollectionName()).isEmpty();
    }
  }

  @Test
  void uptimeRecordsDecodeFieldByField() throws Exception {
    List<byte[]> raw = Fixtures.raw(Fixtures.UPTIME);
    List<String> lines = Fixtures.jsonLines(Fixtures.UPTIME);
    assertThat(raw).hasSize(100).hasSameSizeAs(lines);
    int tcpErrors = 0;
    Mismatches diff = new Mismatches();
    for (int i = 0; i < raw.size(); i++) {
      UptimeRecord u = decoder.decodeUptime(raw.get(i));
      JsonNode j = JSON.readTree(lines.get(i));
      String at = "uptime " + i + " ";
      diff.check(at + "_id", u.getId(), j.get("_id").asText());
      diff.check(at + "url", u.getUrl(), j.get("url").asText());
      diff.check(at + "request_time", u.getRequestTime(), j.get("request_time").asLong());
      diff.check(at + "response_code", u.getResponseCode(), j.get("response_code").asInt());
      diff.check(at + "tcp_error", u.isTcpError(), j.get("tcp_error").asBoolean());
      diff.check(at + "server_error", u.isServerError(), j.get("server_error").asBoolean());
      diff.check(at + "day", u.getDay(), j.get("day").asInt());
      diff.check(at + "month", u.getMonth(), j.get("month").asInt());
      diff.check(at + "year", u.getYear(), j.get("year").asInt());
      diff.check(at + "hour", u.getHour(), j.get("hour").asInt());
      diff.check(at + "minute", u.getMinute(), j.get("minute").asInt());
      diff.check(at + "timestamp", u.getTimeStamp(), time(j, "timestamp"));
      diff.check(at + "expireAt", u.getExpireAt(), time(j, "expireAt"));
      diff.check(at + "api_id", u.getApiId(), j.get("api_id").asText());
      diff.check(at + "org_id", u.getOrgId(), j.get("org_id").asText());
      tcpErrors += u.isTcpError() ? 1 : 0;
    }
    diff.assertNone();
    assertThat(tcpErrors).isPositive();
  }

  private Coverage checkAll(String fixture, int expectedCount) throws Exception {
    List<byte[]> raw = Fixtures.raw(fixture);
    List<String> lines = Fixtures.jsonLines(fixture);
    assertThat(raw).hasSize(expectedCount).hasSameSizeAs(lines);
    Coverage seen = new Coverage();
    Mismatches diff = new Mismatches();
    for (int i = 0; i < raw.size(); i++) {
      AnalyticsRecord r = decoder.decodeRecord(raw.get(i));
      JsonNode j = JSON.readTree(lines.get(i));
      Map<String, Object> wire = Msgpack.unpackMap(raw.get(i));
      compare(diff, fixture + " record " + i + " ", r, j, wire);
      seen.count(r, lines.get(i));
    }
    diff.assertNone();
    return seen;
  }

  private static void compare(
      Mismatches diff, String at, AnalyticsRecord r, JsonNode j, Map<String, Object> wire) {
    diff.check(at + "method", r.getMethod(), text(j, "method"));
    diff.check(at + "host", r.getHost(), text(j, "host"));
    diff.check(at + "path", r.getPath(), text(j, "path"));
    diff.check(at + "raw_path", r.getRawPath(), text(j, "raw_path"));
    diff.check(at + "content_length", r.getContentLength(), j.get("content_length").asLong());
    diff.check(at + "user_agent", r.getUserAgent(), text(j, "user_agent"));
    diff.check(at + "day", r.getDay(), j.get("day").asInt());
    diff.check(at + "month", r.getMonth(), j.get("month").asInt());
    diff.check(at + "year", r.getYear(), j.get("year").asInt());
    diff.check(at + "hour", r.getHour(), j.get("hour").asInt());
    diff.check(at + "response_code", r.getResponseCode(), j.get("response_code").asInt());
    diff.check(at + "api_key", r.getApiKey(), text(j, "api_key"));
    diff.check(at + "timestamp", r.getTimeStamp(), time(j, "timestamp"));
    diff.check(at + "api_version", r.getApiVersion(), text(j, "api_version"));
    diff.check(at + "api_name", r.getApiName(), text(j, "api_name"));
    diff.check(at + "api_id", r.getApiId(), text(j, "api_id"));
    diff.check(at + "org_id", r.getOrgId(), text(j, "org_id"));
    diff.check(at + "oauth_id", r.getOauthId(), text(j, "oauth_id"));
    diff.check(at + "request_time", r.getRequestTime(), j.get("request_time").asLong());
    diff.check(at + "raw_request", r.getRawRequest(), text(j, "raw_request"));
    diff.check(at + "raw_response", r.getRawResponse(), text(j, "raw_response"));
    diff.check(at + "ip_address", r.getIpAddress(), text(j, "ip_address"));

    JsonNode geo = j.get("geo");
    GeoData g = r.getGeo();
    diff.check(at + "geo.country.iso_code", g.country().isoCode(), geo.get("country").get("iso_code").asText());
    diff.check(at + "geo.city.geoname_id", g.city().geoNameId(), geo.get("city").get("geoname_id").asLong());
    diff.check(at + "geo.city.names", g.city().names(), stringMap(geo.get("city").get("names")));
    JsonNode loc = geo.get("location");
    diff.check(at + "geo.location.latitude", g.location().latitude(), loc.get("latitude").asDouble());
    diff.check(at + "geo.location.longitude", g.location().longitude(), loc.get("longitude").asDouble());
    diff.check(at + "geo.location.time_zone", g.location().timeZone(), loc.get("time_zone").asText());

    JsonNode net = j.get("network");
    diff.check(at + "network.open_connections", r.getNetwork().openConnections(), net.get("open_connections").asLong());
    diff.check(at + "network.closed_connections", r.getNetwork().closedConnection(), net.get("closed_connections").asLong());
    diff.check(at + "network.bytes_in", r.getNetwork().bytesIn(), net.get("bytes_in").asLong());
    diff.check(at + "network.bytes_out", r.getNetwork().bytesOut(), net.get("bytes_out").asLong());

    JsonNode lat = j.get("latency");
    diff.check(at + "latency.total", r.getLatency().total(), lat.get("total").asLong());
    diff.check(at + "latency.upstream", r.getLatency().upstream(), lat.get("upstream").asLong());
    diff.check(at + "latency.gateway", r.getLatency().gateway(), lat.path("gateway").asLong(0));

    diff.check(at + "tags", r.getTags(), stringList(j.get("tags")));
    diff.check(at + "alias", r.getAlias(), text(j, "alias"));
    diff.check(at + "track_path", r.isTrackPath(), j.get("track_path").asBoolean());
    diff.check(at + "expireAt", r.getExpireAt(), time(j, "expireAt"));
    diff.check(at + "api_schema", r.getApiSchema(), text(j, "api_schema"));
    diff.check(at + "original_path", r.getOriginalPath(), text(j, "original_path"));
    diff.check(at + "listen_path", r.getListenPath(), text(j, "listen_path"));

    GraphQLStats q = r.getGraphQLStats();
    JsonNode gq = j.get("graphql_stats");
    if (gq == null) {
      diff.check(at + "graphql_stats", q, GraphQLStats.EMPTY);
    } else {
      diff.check(at + "graphql_stats.Variables", q.variables(), gq.get("Variables").asText());
      diff.check(at + "graphql_stats.RootFields", q.rootFields(), stringList(gq.get("RootFields")));
      diff.check(at + "graphql_stats.Types", q.types(), types(gq.get("Types")));
      diff.check(at + "graphql_stats.OperationType", q.operationType(), gq.get("OperationType").asInt());
      diff.check(at + "graphql_stats.HasErrors", q.hasErrors(), gq.get("HasErrors").asBoolean());
      diff.check(at + "graphql_stats.IsGraphQL", q.isGraphQL(), gq.get("IsGraphQL").asBoolean());
      JsonNode errors = gq.get("Errors");
      if (errors.isNull()) {
        diff.check(at + "graphql_stats.Errors", q.errors(), null);
      } else {
        diff.check(at + "graphql_stats.Errors size", q.errors() == null ? -1 : q.errors().size(),
            errors.size());
        for (int e = 0; e < Math.min(errors.size(), q.errors() == null ? 0 : q.errors().size()); e++) {
          String ea = at + "graphql_stats.Errors[" + e + "].";
          diff.check(ea + "message", q.errors().get(e).message(), errors.get(e).get("message").asText());
          diff.check(ea + "path", q.errors().get(e).path(), path(errors.get(e).get("path")));
        }
      }
    }

    McpStats m = r.getMcpStats();
    JsonNode mj = j.get("mcp_stats");
    if (mj == null) {
      diff.check(at + "mcp_stats", m, McpStats.EMPTY);
    } else {
      diff.check(at + "mcp_stats.is_mcp", m.isMcp(), mj.get("is_mcp").asBoolean());
      diff.check(at + "mcp_stats.jsonrpc_method", m.jsonRpcMethod(), mj.get("jsonrpc_method").asText());
      diff.check(at + "mcp_stats.primitive_type", m.primitiveType(), mj.get("primitive_type").asText());
      diff.check(at + "mcp_stats.primitive_name", m.primitiveName(), mj.get("primitive_name").asText());
    }

    // json tag "-": only the wire knows it
    diff.check(at + "CollectionName", r.getCollectionName(), wire.getOrDefault("CollectionName", ""));
  }

  /** A string field; a key the older struct lacks is Go's zero value. */
  private static String text(JsonNode j, String key) {
    JsonNode v = j.get(key);
    return v == null ? "" : v.asText();
  }

  private static Instant time(JsonNode j, String key) {
    return Instant.parse(j.get(key).asText());
  }

  private static List<String> stringList(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    List<String> out = new ArrayList<>();
    n.forEach(e -> out.add(e.asText()));
    return out;
  }

  private static Map<String, String> stringMap(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  private static Map<String, List<String>> types(JsonNode n) {
    if (n.isNull()) {
      return null;
    }
    Map<String, List<String>> out = new LinkedHashMap<>();
    n.fields().forEachRemaining(e -> out.put(e.getKey(), stringList(e.getValue())));
    return out;
  }

  /** A GraphQL error path: strings stay strings, integers are {@link Long}. */
  private static List<Object> path(JsonNode n) {
    if (n.isNull()) {
      return null;
    }
    List<Object> out = new ArrayList<>();
    n.forEach(e -> out.add(e.isIntegralNumber() ? (Object) e.asLong() : e.asText()));
    return out;
  }

  /** Collects every field that differs, then fails once listing them (cheap for ~80k checks). */
  private static final class Mismatches {
    private final List<String> found = new ArrayList<>();

    void check(String what, Object actual, Object expected) {
      if (!Objects.equals(actual, expected)) {
        found.add(what + ": expected <" + expected + "> but was <" + actual + ">");
      }
    }

    void assertNone() {
      assertThat(found).as("%d mismatching fields", found.size()).isEmpty();
    }
  }

  /** How many records exercised each interesting case. */
  private static final class Coverage {
    int contentLengthAbove32Bits;
    int zeroTime;
    int nilTags;
    int cityNames;
    int nonZeroCoordinates;
    int mixedPath;
    int graphQl;
    int mcp;
    int nonAscii;

    void count(AnalyticsRecord r, String line) {
      contentLengthAbove32Bits += r.getContentLength() > TWO_POW_32 ? 1 : 0;
      zeroTime += r.getExpireAt() == GoTime.ZERO || r.getTimeStamp() == GoTime.ZERO ? 1 : 0;
      nilTags += r.getTags() == null ? 1 : 0;
      cityNames += r.getGeo().city().names() != null ? 1 : 0;
      nonZeroCoordinates += r.getGeo().location().latitude() != 0 ? 1 : 0;
      graphQl += r.getGraphQLStats().isGraphQL() ? 1 : 0;
      mcp += r.getMcpStats().isMcp() ? 1 : 0;
      nonAscii += line.chars().anyMatch(c -> c > 127) ? 1 : 0;
      List<GraphQLStats.GraphError> errors = r.getGraphQLStats().errors();
      if (errors != null) {
        for (GraphQLStats.GraphError e : errors) {
          List<Object> p = e.path();
          if (p != null
              && p.stream().anyMatch(String.class::isInstance)
              && p.stream().anyMatch(Long.class::isInstance)) {
            mixedPath++;
            break;
          }
        }
      }
    }
  }
}
