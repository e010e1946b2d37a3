package io.pumpd.core.codec;

import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.GeoData;
import io.pumpd.core.record.GraphQLStats;
import io.pumpd.core.record.UptimeRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Encodes records the way the Tyk Gateway writes them (Go {@code vmihailenco/msgpack} v2): a map
 * with the Go field names in declaration order, every field present, times as {@code [seconds,
 * nanos]}, nil for null lists and maps. Used by {@code pump demo} and by tests that need
 * gateway-format records of their own, and by the dead-letter queue for a record it cannot render
 * as JSON; the daemon itself otherwise only decodes. Written over {@link MsgpackWriter}, the
 * project's own msgpack writer.
 *
 * <p>Stateless and thread-safe.
 */
public final class MsgpackRecordEncoder {

  /** The gateway's bytes for {@code r}. */
  public byte[] encode(AnalyticsRecord r) {
    MsgpackWriter p = new MsgpackWriter();
    p.mapHeader(35);
    str(p, "Method", r.getMethod());
    str(p, "Host", r.getHost());
    str(p, "Path", r.getPath());
    str(p, "RawPath", r.getRawPath());
    num(p, "ContentLength", r.getContentLength());
    str(p, "UserAgent", r.getUserAgent());
    num(p, "Day", r.getDay());
    num(p, "Month", r.getMonth());
    num(p, "Year", r.getYear());
    num(p, "Hour", r.getHour());
    num(p, "ResponseCode", r.getResponseCode());
    str(p, "APIKey", r.getApiKey());
    time(p, "TimeStamp", r.getTimeStamp());
    str(p, "APIVersion", r.getApiVersion());
    str(p, "APIName", r.getApiName());
    str(p, "APIID", r.getApiId());
    str(p, "OrgID", r.getOrgId());
    str(p, "OauthID", r.getOauthId());
    num(p, "RequestTime", r.getRequestTime());
    str(p, "RawRequest", r.getRawRequest());
    str(p, "RawResponse", r.getRawResponse());
    str(p, "IPAddress", r.getIpAddress());
    p.string("Geo");
    geo(p, r.getGeo());
    p.string("Network");
    p.mapHeader(4);
    num(p, "OpenConnections", r.getNetwork().openConnections());
    num(p, "ClosedConnection", r.getNetwork().closedConnection());
    num(p, "BytesIn", r.getNetwork().bytesIn());
    num(p, "BytesOut", r.getNetwork().bytesOut());
    p.string("Latency");
    p.mapHeader(3);
    num(p, "Total", r.getLatency().total());
    num(p, "Upstream", r.getLatency().upstream());
    num(p, "Gateway", r.getLatency().gateway());
    p.string("Tags");
    strings(p, r.getTags());
    str(p, "Alias", r.getAlias());
    p.string("TrackPath");
    p.bool(r.isTrackPath());
    time(p, "ExpireAt", r.getExpireAt());
    str(p, "ApiSchema", r.getApiSchema());
    str(p, "OriginalPath", r.getOriginalPath());
    str(p, "ListenPath", r.getListenPath());
    p.string("GraphQLStats");
    graphQl(p, r.getGraphQLStats());
    p.string("MCPStats");
    p.mapHeader(4);
    p.string("IsMCP");
    p.bool(r.getMcpStats().isMcp());
    str(p, "JSONRPCMethod", r.getMcpStats().jsonRpcMethod());
    str(p, "PrimitiveType", r.getMcpStats().primitiveType());
    str(p, "PrimitiveName", r.getMcpStats().primitiveName());
    str(p, "CollectionName", r.getCollectionName());
    return p.toByteArray();
  }

  /** The gateway's bytes for an uptime record ({@code UptimeReportData}). */
  public byte[] encode(UptimeRecord u) {
    MsgpackWriter p = new MsgpackWriter();
    p.mapHeader(14);
    str(p, "URL", u.getUrl());
    num(p, "RequestTime", u.getRequestTime());
    num(p, "ResponseCode", u.getResponseCode());
    p.string("TCPError");
    p.bool(u.isTcpError());
    p.string("ServerError");
    p.bool(u.isServerError());
    num(p, "Day", u.getDay());
    num(p, "Month", u.getMonth());
    num(p, "Year", u.getYear());
    num(p, "Hour", u.getHour());
    num(p, "Minute", u.getMinute());
    time(p, "TimeStamp", u.getTimeStamp());
    time(p, "ExpireAt", u.getExpireAt());
    str(p, "APIID", u.getApiId());
    str(p, "OrgID", u.getOrgId());
    return p.toByteArray();
  }

  private static void geo(MsgpackWriter p, GeoData g) {
    p.mapHeader(3);
    p.string("Country");
    p.mapHeader(1);
    str(p, "ISOCode", g.country().isoCode());
    p.string("City");
    p.mapHeader(2);
    num(p, "GeoNameID", g.city().geoNameId());
    p.string("Names");
    Map<String, String> names = g.city().names();
    if (names == null) {
      p.nil();
    } else {
      p.mapHeader(names.size());
      for (Map.Entry<String, String> e : names.entrySet()) {
        p.string(e.getKey());
        p.string(e.getValue());
      }
    }
    p.string("Location");
    p.mapHeader(3);
    p.string("Latitude");
    p.float64(g.location().latitude());
    p.string("Longitude");
    p.float64(g.location().longitude());
    str(p, "TimeZone", g.location().timeZone());
  }

  private static void graphQl(MsgpackWriter p, GraphQLStats s) {
    p.mapHeader(7);
    str(p, "Variables", s.variables());
    p.string("RootFields");
    strings(p, s.rootFields());
    p.string("Types");
    if (s.types() == null) {
      p.nil();
    } else {
      p.mapHeader(s.types().size());
      for (Map.Entry<String, List<String>> e : s.types().entrySet()) {
        p.string(e.getKey());
        strings(p, e.getValue());
      }
    }
    p.string("Errors");
    if (s.errors() == null) {
      p.nil();
    } else {
      p.arrayHeader(s.errors().size());
      for (GraphQLStats.GraphError e : s.errors()) {
        p.mapHeader(2);
        str(p, "Message", e.message());
        p.string("Path");
        if (e.path() == null) {
          p.nil();
        } else {
          p.arrayHeader(e.path().size());
          for (Object o : e.path()) {
            if (o instanceof Number n) {
              p.integer(n.longValue());
            } else {
              p.string(String.valueOf(o));
            }
          }
        }
      }
    }
    num(p, "OperationType", s.operationType());
    p.string("HasErrors");
    p.bool(s.hasErrors());
    p.string("IsGraphQL");
    p.bool(s.isGraphQL());
  }

  private static void str(MsgpackWriter p, String key, String value) {
    p.string(key);
    p.string(value == null ? "" : value);
  }

  private static void num(MsgpackWriter p, String key, long value) {
    p.string(key);
    p.integer(value);
  }

  private static void strings(MsgpackWriter p, List<String> values) {
    if (values == null) {
      p.nil();
      return;
    }
    p.arrayHeader(values.size());
    for (String v : values) {
      p.string(v);
    }
  }

  private static void time(MsgpackWriter p, String key, Instant t) {
    p.string(key);
    p.arrayHeader(2);
    p.integer(t.getEpochSecond());
    p.integer(t.getNano());
  }
}
