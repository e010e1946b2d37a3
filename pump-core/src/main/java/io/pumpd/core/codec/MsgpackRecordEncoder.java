package io.pumpd.core.codec;

import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.GeoData;
import io.pumpd.core.record.GraphQLStats;
import io.pumpd.core.record.UptimeRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * Encodes records the way the Tyk Gateway writes them (Go {@code vmihailenco/msgpack} v2): a map
 * with the Go field names in declaration order, every field present, times as {@code [seconds,
 * nanos]}, nil for null lists and maps. Used by {@code pump demo} and by tests that need
 * gateway-format records of their own; the daemon itself only decodes.
 *
 * <p>Stateless and thread-safe.
 */
public final class MsgpackRecordEncoder {

  /** The gateway's bytes for {@code r}. */
  public byte[] encode(AnalyticsRecord r) {
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      p.packMapHeader(35);
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
      p.packString("Geo");
      geo(p, r.getGeo());
      p.packString("Network");
      p.packMapHeader(4);
      num(p, "OpenConnections", r.getNetwork().openConnections());
      num(p, "ClosedConnection", r.getNetwork().closedConnection());
      num(p, "BytesIn", r.getNetwork().bytesIn());
      num(p, "BytesOut", r.getNetwork().bytesOut());
      p.packString("Latency");
      p.packMapHeader(3);
      num(p, "Total", r.getLatency().total());
      num(p, "Upstream", r.getLatency().upstream());
      num(p, "Gateway", r.getLatency().gateway());
      p.packString("Tags");
      strings(p, r.getTags());
      str(p, "Alias", r.getAlias());
      p.packString("TrackPath");
      p.packBoolean(r.isTrackPath());
      time(p, "ExpireAt", r.getExpireAt());
      str(p, "ApiSchema", r.getApiSchema());
      str(p, "OriginalPath", r.getOriginalPath());
      str(p, "ListenPath", r.getListenPath());
      p.packString("GraphQLStats");
      graphQl(p, r.getGraphQLStats());
      p.packString("MCPStats");
      p.packMapHeader(4);
      p.packString("IsMCP");
      p.packBoolean(r.getMcpStats().isMcp());
      str(p, "JSONRPCMethod", r.getMcpStats().jsonRpcMethod());
      str(p, "PrimitiveType", r.getMcpStats().primitiveType());
      str(p, "PrimitiveName", r.getMcpStats().primitiveName());
      str(p, "CollectionName", r.getCollectionName());
      return p.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The gateway's bytes for an uptime record ({@code UptimeReportData}). */
  public byte[] encode(UptimeRecord u) {
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      p.packMapHeader(14);
      str(p, "URL", u.getUrl());
      num(p, "RequestTime", u.getRequestTime());
      num(p, "ResponseCode", u.getResponseCode());
      p.packString("TCPError");
      p.packBoolean(u.isTcpError());
      p.packString("ServerError");
      p.packBoolean(u.isServerError());
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
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void geo(MessageBufferPacker p, GeoData g) throws IOException {
    p.packMapHeader(3);
    p.packString("Country");
    p.packMapHeader(1);
    str(p, "ISOCode", g.country().isoCode());
    p.packString("City");
    p.packMapHeader(2);
    num(p, "GeoNameID", g.city().geoNameId());
    p.packString("Names");
    Map<String, String> names = g.city().names();
    if (names == null) {
      p.packNil();
    } else {
      p.packMapHeader(names.size());
      for (Map.Entry<String, String> e : names.entrySet()) {
        p.packString(e.getKey());
        p.packString(e.getValue());
      }
    }
    p.packString("Location");
    p.packMapHeader(3);
    p.packString("Latitude");
    p.packDouble(g.location().latitude());
    p.packString("Longitude");
    p.packDouble(g.location().longitude());
    str(p, "TimeZone", g.location().timeZone());
  }

  private static void graphQl(MessageBufferPacker p, GraphQLStats s) throws IOException {
    p.packMapHeader(7);
    str(p, "Variables", s.variables());
    p.packString("RootFields");
    strings(p, s.rootFields());
    p.packString("Types");
    if (s.types() == null) {
      p.packNil();
    } else {
      p.packMapHeader(s.types().size());
      for (Map.Entry<String, List<String>> e : s.types().entrySet()) {
        p.packString(e.getKey());
        strings(p, e.getValue());
      }
    }
    p.packString("Errors");
    if (s.errors() == null) {
      p.packNil();
    } else {
      p.packArrayHeader(s.errors().size());
      for (GraphQLStats.GraphError e : s.errors()) {
        p.packMapHeader(2);
        str(p, "Message", e.message());
        p.packString("Path");
        if (e.path() == null) {
          p.packNil();
        } else {
          p.packArrayHeader(e.path().size());
          for (Object o : e.path()) {
            if (o instanceof Number n) {
              p.packLong(n.longValue());
            } else {
              p.packString(String.valueOf(o));
            }
          }
        }
      }
    }
    num(p, "OperationType", s.operationType());
    p.packString("HasErrors");
    p.packBoolean(s.hasErrors());
    p.packString("IsGraphQL");
    p.packBoolean(s.isGraphQL());
  }

  private static void str(MessageBufferPacker p, String key, String value) throws IOException {
    p.packString(key);
    p.packString(value == null ? "" : value);
  }

  private static void num(MessageBufferPacker p, String key, long value) throws IOException {
    p.packString(key);
    p.packLong(value);
  }

  private static void strings(MessageBufferPacker p, List<String> values) throws IOException {
    if (values == null) {
      p.packNil();
      return;
    }
    p.packArrayHeader(values.size());
    for (String v : values) {
      p.packString(v);
    }
  }

  private static void time(MessageBufferPacker p, String key, Instant t) throws IOException {
    p.packString(key);
    p.packArrayHeader(2);
    p.packLong(t.getEpochSecond());
    p.packLong(t.getNano());
  }
}
