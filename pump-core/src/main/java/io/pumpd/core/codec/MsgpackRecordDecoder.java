package io.pumpd.core.codec;

import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.GeoData;
import io.pumpd.core.record.GoTime;
import io.pumpd.core.record.GraphQLStats;
import io.pumpd.core.record.GraphQLStats.GraphError;
import io.pumpd.core.record.Latency;
import io.pumpd.core.record.McpStats;
import io.pumpd.core.record.NetworkStats;
import io.pumpd.core.record.UptimeRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessagePackException;

/**
 * Decodes the gateway's msgpack records ({@code vmihailenco/msgpack} v2 encoding of Go structs):
 * a map keyed by Go field names, matched case-sensitively; unknown keys skipped; missing keys left
 * at their zero value; nil accepted for any value; Go's positional (array) struct form accepted
 * too. See {@code reference/tyk-pump.md} §3.
 *
 * <p>Not thread-safe: it reuses one unpacker. Use one instance per thread (instances are cheap).
 */
public final class MsgpackRecordDecoder {
  /** Go declaration order of {@code AnalyticsRecord}, for the positional struct form. */
  private static final String[] RECORD_FIELDS = {
    "Method", "Host", "Path", "RawPath", "ContentLength", "UserAgent", "Day", "Month", "Year",
    "Hour", "ResponseCode", "APIKey", "TimeStamp", "APIVersion", "APIName", "APIID", "OrgID",
    "OauthID", "RequestTime", "RawRequest", "RawResponse", "IPAddress", "Geo", "Network",
    "Latency", "Tags", "Alias", "TrackPath", "ExpireAt", "ApiSchema", "OriginalPath", "ListenPath",
    "GraphQLStats", "MCPStats", "CollectionName"
  };

  private static final String[] UPTIME_FIELDS = {
    "URL", "RequestTime", "ResponseCode", "TCPError", "ServerError", "Day", "Month", "Year", "Hour",
    "Minute", "TimeStamp", "ExpireAt", "APIID", "OrgID"
  };

  private final MsgpackReader in = new MsgpackReader();

  /** Decodes one request record. */
  public AnalyticsRecord decodeRecord(byte[] bytes) throws RecordDecodeException {
    AnalyticsRecord r = new AnalyticsRecord();
    run(bytes, "AnalyticsRecord", RECORD_FIELDS, key -> recordField(r, key));
    return r;
  }

  /** Decodes one uptime record ({@code UptimeReportData}). */
  public UptimeRecord decodeUptime(byte[] bytes) throws RecordDecodeException {
    UptimeRecord u = new UptimeRecord();
    run(bytes, "UptimeReportData", UPTIME_FIELDS, key -> uptimeField(u, key));
    return u;
  }

  private void run(byte[] bytes, String what, String[] order, FieldReader fields)
      throws RecordDecodeException {
    if (bytes == null || bytes.length == 0) {
      throw new RecordDecodeException("empty element: no msgpack " + what);
    }
    try {
      in.reset(bytes);
      struct(what, order, fields);
    } catch (IOException | MessagePackException e) {
      throw new RecordDecodeException(
          "malformed msgpack " + what + " at byte " + in.position() + " of " + bytes.length
              + ": " + e.getMessage(), e);
    }
  }

  @FunctionalInterface
  private interface FieldReader {
    /** Reads the value of {@code key}, or skips it when the key is unknown. */
    void read(String key) throws IOException, RecordDecodeException;
  }

  private void struct(String what, String[] order, FieldReader fields)
      throws IOException, RecordDecodeException {
    int header = in.structHeader(what);
    if (header >= 0) {
      for (int i = 0; i < header; i++) {
        fields.read(in.key());
      }
    } else {
      int n = -header - 1;
      for (int i = 0; i < n; i++) {
        if (i < order.length) {
          fields.read(order[i]);
        } else {
          in.skip();
        }
      }
    }
  }

  private void recordField(AnalyticsRecord r, String key) throws IOException, RecordDecodeException {
    switch (key) {
      case "Method" -> r.setMethod(in.string(key));
      case "Host" -> r.setHost(in.string(key));
      case "Path" -> r.setPath(in.string(key));
      case "RawPath" -> r.setRawPath(in.string(key));
      case "ContentLength" -> r.setContentLength(in.integer(key));
      case "UserAgent" -> r.setUserAgent(in.string(key));
      case "Day" -> r.setDay(in.int32(key));
      case "Month" -> r.setMonth(in.int32(key));
      case "Year" -> r.setYear(in.int32(key));
      case "Hour" -> r.setHour(in.int32(key));
      case "ResponseCode" -> r.setResponseCode(in.int32(key));
      case "APIKey" -> r.setApiKey(in.string(key));
      case "TimeStamp" -> r.setTimeStamp(in.time(key, GoTime.ZERO));
      case "APIVersion" -> r.setApiVersion(in.string(key));
      case "APIName" -> r.setApiName(in.string(key));
      case "APIID" -> r.setApiId(in.string(key));
      case "OrgID" -> r.setOrgId(in.string(key));
      case "OauthID" -> r.setOauthId(in.string(key));
      case "RequestTime" -> r.setRequestTime(in.integer(key));
      case "RawRequest" -> r.setRawRequest(in.string(key));
      case "RawResponse" -> r.setRawResponse(in.string(key));
      case "IPAddress" -> r.setIpAddress(in.string(key));
      case "Geo" -> r.setGeo(geo());
      case "Network" -> r.setNetwork(network());
      case "Latency" -> r.setLatency(latency());
      case "Tags" -> r.setTags(in.stringList(key));
      case "Alias" -> r.setAlias(in.string(key));
      case "TrackPath" -> r.setTrackPath(in.bool(key));
      case "ExpireAt" -> r.setExpireAt(in.time(key, GoTime.ZERO));
      case "ApiSchema" -> r.setApiSchema(in.string(key));
      case "OriginalPath" -> r.setOriginalPath(in.string(key));
      case "ListenPath" -> r.setListenPath(in.string(key));
      case "GraphQLStats" -> r.setGraphQLStats(graphQl());
      case "MCPStats" -> r.setMcpStats(mcp());
      case "CollectionName" -> r.setCollectionName(in.string(key));
      default -> in.skip();
    }
  }

  private void uptimeField(UptimeRecord u, String key) throws IOException, RecordDecodeException {
    switch (key) {
      case "ID" -> u.setId(in.string(key));
      case "URL" -> u.setUrl(in.string(key));
      case "RequestTime" -> u.setRequestTime(in.integer(key));
      case "ResponseCode" -> u.setResponseCode(in.int32(key));
      case "TCPError" -> u.setTcpError(in.bool(key));
      case "ServerError" -> u.setServerError(in.bool(key));
      case "Day" -> u.setDay(in.int32(key));
      case "Month" -> u.setMonth(in.int32(key));
      case "Year" -> u.setYear(in.int32(key));
      case "Hour" -> u.setHour(in.int32(key));
      case "Minute" -> u.setMinute(in.int32(key));
      case "TimeStamp" -> u.setTimeStamp(in.time(key, GoTime.ZERO));
      case "ExpireAt" -> u.setExpireAt(in.time(key, GoTime.ZERO));
      case "APIID" -> u.setApiId(in.string(key));
      case "OrgID" -> u.setOrgId(in.string(key));
      default -> in.skip();
    }
  }

  // ---- nested structs: a nil value is the zero struct ----

  private GeoData geo() throws IOException, RecordDecodeException {
    if (in.tryNil()) {
      return GeoData.EMPTY;
    }
    GeoData.Country[] country = {GeoData.Country.EMPTY};
    GeoData.City[] city = {GeoData.City.EMPTY};
    GeoData.Location[] location = {GeoData.Location.EMPTY};
    struct(
        "Geo",
        new String[] {"Country", "City", "Location"},
        key -> {
          switch (key) {
            case "Country" -> country[0] = country();
            case "City" -> city[0] = city();
            case "Location" -> location[0] = location();
            default -> in.skip();
          }
        });
    return new GeoData(country[0], city[0], location[0]);
  }

  private GeoData.Country country() throws IOException, RecordDecodeException {
    if (in.tryNil()) {
      return GeoData.Country.EMPTY;
    }
    String[] iso = {""};
    struct(
        "Geo.Country",
        new String[] {"ISOCode"},
        key -> {
          if (key.equals("ISOCode")) {
            iso[0] = in.string("Geo.Country.ISOCode");
          } else {
            in.skip();
          }
        });
    return iso[0].isEmpty() ? GeoData.Country.EMPTY : new GeoData.Country(iso[0]);
  }

  private GeoData.City city() throws IOException, RecordDecodeException {
    if (in.tryNil()) {
      return GeoData.City.EMPTY;
    }
    long[] id = {0};
    List<Map<String, String>> names = new ArrayList<>(1);
    names.add(null);
    struct(
        "Geo.City",
        new String[] {"GeoNameID", "Names"},
        key -> {
          switch (key) {
            case "GeoNameID" -> id[0] = in.integer("Geo.City.GeoNameID");
            case "Names" -> names.set(0, in.stringMap("Geo.City.Names"));
            default -> in.skip();
          }
        });
    return id[0] == 0 && names.get(0) == null ? GeoData.City.EMPTY : new GeoData.City(id[0], names.get(0));
  }

  private GeoData.Location location() throws IOException, RecordDecodeException {
    if (in.tryNil()) {
      return GeoData.Location.EMPTY;
    }
    double[] latLon = {0, 0};
    String[] tz = {""};
    struct(
        "Geo.Location",
        new String[] {"Latitude", "Longitude", "TimeZone"},
        key -> {
          switch (key) {
            case "Latitude" -> latLon[0] = in.float64("Geo.Location.Latitude");
            case "Longitude" -> latLon[1] = in.float64("Geo.Location.Longitude");
            case "TimeZone" -> tz[0] = in.string("Geo.Location.TimeZone");
            default -> in.skip();
          }
        });
    if (latLon[0] == 0 && latLon[1] == 0 && tz[0].isEmpty()) {
      return GeoData.Location.EMPTY;
    }
    return new GeoData.Location(latLon[0], latLon[1], tz[0]);
  }

  private NetworkStats network() throws IOException, RecordDecodeException {
    if (in.tryNil()) {
      return NetworkStats.EMPTY;
    }
    long[] v = new long[4];
    struct(
        "Network",
        new String[] {"OpenConnections", "ClosedConnection", "BytesIn", "BytesOut"},
        key -> {
          switch (key) {
            case "OpenConnections" -> v[0] = in.integer("Network.OpenConnections");
            case "ClosedConnection" -> v[1] = in.integer("Network.ClosedConnection");
            case "BytesIn" -> v[2] = in.integer("Network.BytesIn");
            case "BytesOut" -> v[3] = in.integer("Network.BytesOut");
            default -> in.skip();
          }
        });
    if ((v[0] | v[1] | v[2] | v[3]) == 0) {
      return NetworkStats.EMPTY;
    }
    return new NetworkStats(v[0], v[1], v[2], v[3]);
  }

  private Latency latency() throws IOException, RecordDecodeException {
    if (in.tryNil()) {
      return Latency.EMPTY;
    }
    long[] v = new long[3];
    struct(
        "Latency",
        new String[] {"Total", "Upstream", "Gateway"},
        key -> {
          switch (key) {
            case "Total" -> v[0] = in.integer("Latency.Total");
            case "Upstream" -> v[1] = in.integer("Latency.Upstream");
            case "Gateway" -> v[2] = in.integer("Latency.Gateway");
            default -> in.skip();
          }
        });
    return new Latency(v[0], v[1], v[2]);
  }

  private McpStats mcp() throws IOException, RecordDecodeException {
    if (in.tryNil()) {
      return McpStats.EMPTY;
    }
    boolean[] isMcp = {false};
    String[] s = {"", "", ""};
    struct(
        "MCPStats",
        new String[] {"IsMCP", "JSONRPCMethod", "PrimitiveType", "PrimitiveName"},
        key -> {
          switch (key) {
            case "IsMCP" -> isMcp[0] = in.bool("MCPStats.IsMCP");
            case "JSONRPCMethod" -> s[0] = in.string("MCPStats.JSONRPCMethod");
            case "PrimitiveType" -> s[1] = in.string("MCPStats.PrimitiveType");
            case "PrimitiveName" -> s[2] = in.string("MCPStats.PrimitiveName");
            default -> in.skip();
          }
        });
    if (!isMcp[0] && s[0].isEmpty() && s[1].isEmpty() && s[2].isEmpty()) {
      return McpStats.EMPTY;
    }
    return new McpStats(isMcp[0], s[0], s[1], s[2]);
  }

  private GraphQLStats graphQl() throws IOException, RecordDecodeException {
    if (in.tryNil()) {
      return GraphQLStats.EMPTY;
    }
    GraphQlBuilder b = new GraphQlBuilder();
    struct(
        "GraphQLStats",
        new String[] {
          "Variables", "RootFields", "Types", "Errors", "OperationType", "HasErrors", "IsGraphQL"
        },
        key -> {
          switch (key) {
            case "Variables" -> b.variables = in.string("GraphQLStats.Variables");
            case "RootFields" -> b.rootFields = in.stringList("GraphQLStats.RootFields");
            case "Types" -> b.types = types();
            case "Errors" -> b.errors = graphErrors();
            case "OperationType" -> b.operationType = in.int32("GraphQLStats.OperationType");
            case "HasErrors" -> b.hasErrors = in.bool("GraphQLStats.HasErrors");
            case "IsGraphQL" -> b.isGraphQL = in.bool("GraphQLStats.IsGraphQL");
            default -> in.skip();
          }
        });
    if (!b.isGraphQL && !b.hasErrors && b.operationType == 0 && b.variables.isEmpty()
        && b.rootFields == null && b.types == null && b.errors == null) {
      return GraphQLStats.EMPTY;
    }
    return new GraphQLStats(
        b.variables, b.rootFields, b.types, b.errors, b.operationType, b.hasErrors, b.isGraphQL);
  }

  private static final class GraphQlBuilder {
    String variables = "";
    List<String> rootFields;
    Map<String, List<String>> types;
    List<GraphError> errors;
    int operationType;
    boolean hasErrors;
    boolean isGraphQL;
  }

  private Map<String, List<String>> types() throws IOException, RecordDecodeException {
    String key = "GraphQLStats.Types";
    if (in.tryNil()) {
      return null;
    }
    int n = in.mapHeader(key);
    Map<String, List<String>> out = new LinkedHashMap<>(Math.max(4, n * 2));
    for (int i = 0; i < n; i++) {
      out.put(in.string(key), in.stringList(key));
    }
    return out;
  }

  private List<GraphError> graphErrors() throws IOException, RecordDecodeException {
    String key = "GraphQLStats.Errors";
    if (in.tryNil()) {
      return null;
    }
    int n = in.arrayHeader(key);
    List<GraphError> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(graphError());
    }
    return out;
  }

  private GraphError graphError() throws IOException, RecordDecodeException {
    if (in.tryNil()) {
      return new GraphError("", null);
    }
    String[] message = {""};
    List<List<Object>> path = new ArrayList<>(1);
    path.add(null);
    struct(
        "GraphQLStats.Errors[]",
        new String[] {"Message", "Path"},
        key -> {
          switch (key) {
            case "Message" -> message[0] = in.string("GraphQLStats.Errors.Message");
            case "Path" -> path.set(0, errorPath());
            default -> in.skip();
          }
        });
    return new GraphError(message[0], path.get(0));
  }

  private List<Object> errorPath() throws IOException, RecordDecodeException {
    String key = "GraphQLStats.Errors.Path";
    if (in.tryNil()) {
      return null;
    }
    int n = in.arrayHeader(key);
    List<Object> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(in.scalar(key));
    }
    return out;
  }
}
