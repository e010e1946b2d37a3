package io.pumpd.core.codec;

import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.GeoData;
import io.pumpd.core.record.GraphQLStats;
import io.pumpd.core.record.GraphQLStats.GraphError;
import io.pumpd.core.record.Latency;
import io.pumpd.core.record.McpStats;
import io.pumpd.core.record.NetworkStats;
import io.pumpd.core.record.UptimeRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes the gateway's msgpack records ({@code vmihailenco/msgpack} v2 encoding of Go structs,
 * {@code reference/tyk-pump.md} §3): a map keyed by Go field names, matched case-sensitively;
 * unknown keys (with values of any shape) skipped; missing keys left at their zero value (records
 * of older gateways); nil accepted for any value; Go's positional (array) struct form accepted too.
 *
 * <p>Strict where Go would silently produce a wrong record: one Redis element is exactly one record,
 * so trailing bytes after it, a truncated element, a value of the wrong type (the message names the
 * key path, e.g. {@code Geo.City.Names}), an integer that does not fit its field, or a time out of
 * range all throw {@link RecordDecodeException}, and nothing else is thrown for any input. Every
 * length in the input is checked before allocating, so a corrupted element cannot exhaust memory.
 *
 * <p>Not thread-safe: it reuses one cursor. Use one instance per thread (instances are cheap).
 */
public final class MsgpackRecordDecoder {
  private static final FieldNames RECORD =
      new FieldNames(
          "AnalyticsRecord",
          "",
          35,
          "Method", "Host", "Path", "RawPath", "ContentLength", "UserAgent", "Day", "Month", "Year",
          "Hour", "ResponseCode", "APIKey", "TimeStamp", "APIVersion", "APIName", "APIID", "OrgID",
          "OauthID", "RequestTime", "RawRequest", "RawResponse", "IPAddress", "Geo", "Network",
          "Latency", "Tags", "Alias", "TrackPath", "ExpireAt", "ApiSchema", "OriginalPath",
          "ListenPath", "GraphQLStats", "MCPStats", "CollectionName");

  /**
   * Tyk Pump's {@code UptimeReportData}, into which it decodes: its pump-side {@code ID} first, then
   * the gateway's 14 fields (the gateway's own struct has no {@code ID}; by key that makes no
   * difference, and the positional form follows the struct Tyk Pump decodes into).
   */
  private static final FieldNames UPTIME =
      new FieldNames(
          "UptimeReportData",
          "",
          15,
          "ID", "URL", "RequestTime", "ResponseCode", "TCPError", "ServerError", "Day", "Month",
          "Year", "Hour", "Minute", "TimeStamp", "ExpireAt", "APIID", "OrgID");

  private static final FieldNames GEO = new FieldNames("Geo", "Country", "City", "Location");
  private static final FieldNames COUNTRY = new FieldNames("Geo.Country", "ISOCode");
  private static final FieldNames CITY = new FieldNames("Geo.City", "GeoNameID", "Names");
  private static final FieldNames LOCATION =
      new FieldNames("Geo.Location", "Latitude", "Longitude", "TimeZone");
  private static final FieldNames NETWORK =
      new FieldNames("Network", "OpenConnections", "ClosedConnection", "BytesIn", "BytesOut");
  private static final FieldNames LATENCY =
      new FieldNames("Latency", "Total", "Upstream", "Gateway");
  private static final FieldNames MCP =
      new FieldNames("MCPStats", "IsMCP", "JSONRPCMethod", "PrimitiveType", "PrimitiveName");
  private static final FieldNames GRAPHQL =
      new FieldNames(
          "GraphQLStats",
          "Variables", "RootFields", "Types", "Errors", "OperationType", "HasErrors", "IsGraphQL");
  private static final FieldNames GRAPH_ERROR =
      new FieldNames("GraphQLStats.Errors", "Message", "Path");

  /** Estimated heap of a decoded record's objects, strings and collections not included. */
  static final long RECORD_HEAP = 640;
  private static final long UPTIME_HEAP = 160;
  private static final long GRAPH_ERROR_HEAP = 32;
  private static final long BOXED_HEAP = 24;

  private final MsgpackReader in = new MsgpackReader();

  /** Without a limit on what an element may decode to. */
  public MsgpackRecordDecoder() {}

  /**
   * @param maxHeapBytes most heap one element may decode to (estimated as it is decoded); an
   *     element that would take more fails with {@link RecordDecodeException} before the excess is
   *     allocated
   */
  public MsgpackRecordDecoder(long maxHeapBytes) {
    in.heapLimit(maxHeapBytes);
  }

  /**
   * The estimated heap taken by the last record decoded (its objects, strings and collections);
   * what the delivery engine counts against its in-flight budget.
   */
  public long lastHeapBytes() {
    return in.heap();
  }

  /** Decodes one request record ({@code AnalyticsRecord}). */
  public AnalyticsRecord decodeRecord(byte[] bytes) throws RecordDecodeException {
    begin(bytes, "AnalyticsRecord");
    try {
      in.charge(RECORD_HEAP, "AnalyticsRecord");
      AnalyticsRecord r = record();
      end(bytes, "AnalyticsRecord");
      return r;
    } finally {
      in.clear();
    }
  }

  /** Decodes one uptime record ({@code UptimeReportData}). */
  public UptimeRecord decodeUptime(byte[] bytes) throws RecordDecodeException {
    begin(bytes, "UptimeReportData");
    try {
      in.charge(UPTIME_HEAP, "UptimeReportData");
      UptimeRecord u = uptime();
      end(bytes, "UptimeReportData");
      return u;
    } finally {
      in.clear();
    }
  }

  private void begin(byte[] bytes, String what) throws RecordDecodeException {
    if (bytes == null || bytes.length == 0) {
      throw new RecordDecodeException("empty element: no msgpack " + what);
    }
    in.reset(bytes);
    if (in.peek() == 0xc0) {
      throw new RecordDecodeException("element is msgpack nil, not a " + what);
    }
  }

  private void end(byte[] bytes, String what) throws RecordDecodeException {
    if (in.remaining() > 0) {
      throw new RecordDecodeException(
          in.remaining() + " unexpected bytes after the " + what + " at byte " + in.position()
              + " (element of " + bytes.length + " bytes)");
    }
  }

  /**
   * The index in {@code names} of the next entry of a struct: the next map key's field, or for the
   * positional form the field at position {@code i}; -1 for an entry to skip.
   */
  private int nextField(boolean positional, int i, FieldNames names, int previous)
      throws RecordDecodeException {
    return positional ? names.positional(i) : in.field(names, previous + 1);
  }

  /** Skips the value of an unknown key (or of a positional element beyond the known fields). */
  private void skipUnknown(FieldNames names, boolean positional, int i)
      throws RecordDecodeException {
    in.skip(positional ? names.unknownPosition(i) : names.unknown(in.lastKey()));
  }

  private AnalyticsRecord record() throws RecordDecodeException {
    AnalyticsRecord r = new AnalyticsRecord();
    boolean positional = in.nextIsArray();
    int n = in.structHeader("AnalyticsRecord");
    int f = -1;
    for (int i = 0; i < n; i++) {
      int next = nextField(positional, i, RECORD, f);
      recordField(r, next, positional, i);
      f = next < 0 ? f : next;
    }
    return r;
  }

  private void recordField(AnalyticsRecord r, int field, boolean positional, int i)
      throws RecordDecodeException {
    String key = field < 0 ? null : RECORD.qualified(field);
    switch (field) {
      case 0 -> r.setMethod(in.string(key));
      case 1 -> r.setHost(in.string(key));
      case 2 -> r.setPath(in.string(key));
      case 3 -> r.setRawPath(in.string(key));
      case 4 -> r.setContentLength(in.integer(key));
      case 5 -> r.setUserAgent(in.string(key));
      case 6 -> r.setDay(in.int32(key));
      case 7 -> r.setMonth(in.int32(key));
      case 8 -> r.setYear(in.int32(key));
      case 9 -> r.setHour(in.int32(key));
      case 10 -> r.setResponseCode(in.int32(key));
      case 11 -> r.setApiKey(in.string(key));
      case 12 -> r.setTimeStamp(in.time(key));
      case 13 -> r.setApiVersion(in.string(key));
      case 14 -> r.setApiName(in.string(key));
      case 15 -> r.setApiId(in.string(key));
      case 16 -> r.setOrgId(in.string(key));
      case 17 -> r.setOauthId(in.string(key));
      case 18 -> r.setRequestTime(in.integer(key));
      case 19 -> r.setRawRequest(in.string(key));
      case 20 -> r.setRawResponse(in.string(key));
      case 21 -> r.setIpAddress(in.string(key));
      case 22 -> r.setGeo(geo());
      case 23 -> r.setNetwork(network());
      case 24 -> r.setLatency(latency());
      case 25 -> r.setTags(in.stringList(key));
      case 26 -> r.setAlias(in.string(key));
      case 27 -> r.setTrackPath(in.bool(key));
      case 28 -> r.setExpireAt(in.time(key));
      case 29 -> r.setApiSchema(in.string(key));
      case 30 -> r.setOriginalPath(in.string(key));
      case 31 -> r.setListenPath(in.string(key));
      case 32 -> r.setGraphQLStats(graphQl());
      case 33 -> r.setMcpStats(mcp());
      case 34 -> r.setCollectionName(in.string(key));
      default -> skipUnknown(RECORD, positional, i);
    }
  }

  private UptimeRecord uptime() throws RecordDecodeException {
    UptimeRecord u = new UptimeRecord();
    boolean positional = in.nextIsArray();
    int n = in.structHeader("UptimeReportData");
    int f = -1;
    for (int i = 0; i < n; i++) {
      int next = nextField(positional, i, UPTIME, f);
      String key = next < 0 ? null : UPTIME.qualified(next);
      switch (next) {
        case 0 -> u.setId(in.string(key));
        case 1 -> u.setUrl(in.string(key));
        case 2 -> u.setRequestTime(in.integer(key));
        case 3 -> u.setResponseCode(in.int32(key));
        case 4 -> u.setTcpError(in.bool(key));
        case 5 -> u.setServerError(in.bool(key));
        case 6 -> u.setDay(in.int32(key));
        case 7 -> u.setMonth(in.int32(key));
        case 8 -> u.setYear(in.int32(key));
        case 9 -> u.setHour(in.int32(key));
        case 10 -> u.setMinute(in.int32(key));
        case 11 -> u.setTimeStamp(in.time(key));
        case 12 -> u.setExpireAt(in.time(key));
        case 13 -> u.setApiId(in.string(key));
        case 14 -> u.setOrgId(in.string(key));
        default -> skipUnknown(UPTIME, positional, i);
      }
      f = next < 0 ? f : next;
    }
    return u;
  }

  // ---- nested structs: nil is the zero struct; all-zero values share the EMPTY constants ----

  private GeoData geo() throws RecordDecodeException {
    if (in.tryNil()) {
      return GeoData.EMPTY;
    }
    GeoData.Country country = GeoData.Country.EMPTY;
    GeoData.City city = GeoData.City.EMPTY;
    GeoData.Location location = GeoData.Location.EMPTY;
    boolean positional = in.nextIsArray();
    int n = in.structHeader(GEO.struct());
    int f = -1;
    for (int i = 0; i < n; i++) {
      int next = nextField(positional, i, GEO, f);
      switch (next) {
        case 0 -> country = country();
        case 1 -> city = city();
        case 2 -> location = location();
        default -> skipUnknown(GEO, positional, i);
      }
      f = next < 0 ? f : next;
    }
    if (country == GeoData.Country.EMPTY
        && city == GeoData.City.EMPTY
        && location == GeoData.Location.EMPTY) {
      return GeoData.EMPTY;
    }
    return new GeoData(country, city, location);
  }

  private GeoData.Country country() throws RecordDecodeException {
    if (in.tryNil()) {
      return GeoData.Country.EMPTY;
    }
    String iso = "";
    boolean positional = in.nextIsArray();
    int n = in.structHeader(COUNTRY.struct());
    int f = -1;
    for (int i = 0; i < n; i++) {
      int next = nextField(positional, i, COUNTRY, f);
      if (next == 0) {
        iso = in.string(COUNTRY.qualified(0));
      } else {
        skipUnknown(COUNTRY, positional, i);
      }
      f = next < 0 ? f : next;
    }
    return iso.isEmpty() ? GeoData.Country.EMPTY : new GeoData.Country(iso);
  }

  private GeoData.City city() throws RecordDecodeException {
    if (in.tryNil()) {
      return GeoData.City.EMPTY;
    }
    long id = 0;
    Map<String, String> names = null;
    boolean positional = in.nextIsArray();
    int n = in.structHeader(CITY.struct());
    int f = -1;
    for (int i = 0; i < n; i++) {
      int next = nextField(positional, i, CITY, f);
      switch (next) {
        case 0 -> id = in.integer(CITY.qualified(0));
        case 1 -> names = in.stringMap(CITY.qualified(1));
        default -> skipUnknown(CITY, positional, i);
      }
      f = next < 0 ? f : next;
    }
    return id == 0 && names == null ? GeoData.City.EMPTY : new GeoData.City(id, names);
  }

  private GeoData.Location location() throws RecordDecodeException {
    if (in.tryNil()) {
      return GeoData.Location.EMPTY;
    }
    double latitude = 0;
    double longitude = 0;
    String timeZone = "";
    boolean positional = in.nextIsArray();
    int n = in.structHeader(LOCATION.struct());
    int f = -1;
    for (int i = 0; i < n; i++) {
      int next = nextField(positional, i, LOCATION, f);
      switch (next) {
        case 0 -> latitude = in.float64(LOCATION.qualified(0));
        case 1 -> longitude = in.float64(LOCATION.qualified(1));
        case 2 -> timeZone = in.string(LOCATION.qualified(2));
        default -> skipUnknown(LOCATION, positional, i);
      }
      f = next < 0 ? f : next;
    }
    // raw bits: -0.0 is kept, as Go keeps it
    if (Double.doubleToRawLongBits(latitude) == 0
        && Double.doubleToRawLongBits(longitude) == 0
        && timeZone.isEmpty()) {
      return GeoData.Location.EMPTY;
    }
    return new GeoData.Location(latitude, longitude, timeZone);
  }

  private NetworkStats network() throws RecordDecodeException {
    if (in.tryNil()) {
      return NetworkStats.EMPTY;
    }
    long open = 0;
    long closed = 0;
    long bytesIn = 0;
    long bytesOut = 0;
    boolean positional = in.nextIsArray();
    int n = in.structHeader(NETWORK.struct());
    int f = -1;
    for (int i = 0; i < n; i++) {
      int next = nextField(positional, i, NETWORK, f);
      switch (next) {
        case 0 -> open = in.integer(NETWORK.qualified(0));
        case 1 -> closed = in.integer(NETWORK.qualified(1));
        case 2 -> bytesIn = in.integer(NETWORK.qualified(2));
        case 3 -> bytesOut = in.integer(NETWORK.qualified(3));
        default -> skipUnknown(NETWORK, positional, i);
      }
      f = next < 0 ? f : next;
    }
    if ((open | closed | bytesIn | bytesOut) == 0) {
      return NetworkStats.EMPTY;
    }
    return new NetworkStats(open, closed, bytesIn, bytesOut);
  }

  private Latency latency() throws RecordDecodeException {
    if (in.tryNil()) {
      return Latency.EMPTY;
    }
    long total = 0;
    long upstream = 0;
    long gateway = 0;
    boolean positional = in.nextIsArray();
    int n = in.structHeader(LATENCY.struct());
    int f = -1;
    for (int i = 0; i < n; i++) {
      int next = nextField(positional, i, LATENCY, f);
      switch (next) {
        case 0 -> total = in.integer(LATENCY.qualified(0));
        case 1 -> upstream = in.integer(LATENCY.qualified(1));
        case 2 -> gateway = in.integer(LATENCY.qualified(2));
        default -> skipUnknown(LATENCY, positional, i);
      }
      f = next < 0 ? f : next;
    }
    return (total | upstream | gateway) == 0 ? Latency.EMPTY : new Latency(total, upstream, gateway);
  }

  private McpStats mcp() throws RecordDecodeException {
    if (in.tryNil()) {
      return McpStats.EMPTY;
    }
    boolean isMcp = false;
    String method = "";
    String type = "";
    String name = "";
    boolean positional = in.nextIsArray();
    int n = in.structHeader(MCP.struct());
    int f = -1;
    for (int i = 0; i < n; i++) {
      int next = nextField(positional, i, MCP, f);
      switch (next) {
        case 0 -> isMcp = in.bool(MCP.qualified(0));
        case 1 -> method = in.string(MCP.qualified(1));
        case 2 -> type = in.string(MCP.qualified(2));
        case 3 -> name = in.string(MCP.qualified(3));
        default -> skipUnknown(MCP, positional, i);
      }
      f = next < 0 ? f : next;
    }
    if (!isMcp && method.isEmpty() && type.isEmpty() && name.isEmpty()) {
      return McpStats.EMPTY;
    }
    return new McpStats(isMcp, method, type, name);
  }

  private GraphQLStats graphQl() throws RecordDecodeException {
    if (in.tryNil()) {
      return GraphQLStats.EMPTY;
    }
    String variables = "";
    List<String> rootFields = null;
    Map<String, List<String>> types = null;
    List<GraphError> errors = null;
    int operationType = 0;
    boolean hasErrors = false;
    boolean isGraphQL = false;
    boolean positional = in.nextIsArray();
    int n = in.structHeader(GRAPHQL.struct());
    int f = -1;
    for (int i = 0; i < n; i++) {
      int next = nextField(positional, i, GRAPHQL, f);
      switch (next) {
        case 0 -> variables = in.string(GRAPHQL.qualified(0));
        case 1 -> rootFields = in.stringList(GRAPHQL.qualified(1));
        case 2 -> types = types(GRAPHQL.qualified(2));
        case 3 -> errors = graphErrors(GRAPHQL.qualified(3));
        case 4 -> operationType = in.int32(GRAPHQL.qualified(4));
        case 5 -> hasErrors = in.bool(GRAPHQL.qualified(5));
        case 6 -> isGraphQL = in.bool(GRAPHQL.qualified(6));
        default -> skipUnknown(GRAPHQL, positional, i);
      }
      f = next < 0 ? f : next;
    }
    if (!isGraphQL && !hasErrors && operationType == 0 && variables.isEmpty()
        && rootFields == null && types == null && errors == null) {
      return GraphQLStats.EMPTY;
    }
    return new GraphQLStats(
        variables, rootFields, types, errors, operationType, hasErrors, isGraphQL);
  }

  /** {@code map[string][]string}; nil is {@code null}. */
  private Map<String, List<String>> types(String key) throws RecordDecodeException {
    if (in.tryNil()) {
      return null;
    }
    int n = in.mapHeader(key);
    in.charge(MsgpackReader.mapHeap(n), key);
    Map<String, List<String>> out = new LinkedHashMap<>(MsgpackReader.capacity(n));
    for (int i = 0; i < n; i++) {
      String type = in.string(key);
      out.put(type, in.stringList(key));
    }
    return out;
  }

  /** {@code []GraphError}; nil is {@code null}. */
  private List<GraphError> graphErrors(String key) throws RecordDecodeException {
    if (in.tryNil()) {
      return null;
    }
    int n = in.arrayHeader(key);
    in.charge(MsgpackReader.listHeap(n) + GRAPH_ERROR_HEAP * n, key);
    List<GraphError> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(graphError());
    }
    return out;
  }

  private GraphError graphError() throws RecordDecodeException {
    if (in.tryNil()) {
      return new GraphError("", null);
    }
    String message = "";
    List<Object> path = null;
    boolean positional = in.nextIsArray();
    int n = in.structHeader(GRAPH_ERROR.struct());
    int f = -1;
    for (int i = 0; i < n; i++) {
      int next = nextField(positional, i, GRAPH_ERROR, f);
      switch (next) {
        case 0 -> message = in.string(GRAPH_ERROR.qualified(0));
        case 1 -> path = errorPath(GRAPH_ERROR.qualified(1));
        default -> skipUnknown(GRAPH_ERROR, positional, i);
      }
      f = next < 0 ? f : next;
    }
    return new GraphError(message, path);
  }

  /** {@code []interface{}} of strings and integers; nil is {@code null}. */
  private List<Object> errorPath(String key) throws RecordDecodeException {
    if (in.tryNil()) {
      return null;
    }
    int n = in.arrayHeader(key);
    in.charge(MsgpackReader.listHeap(n) + BOXED_HEAP * n, key);
    List<Object> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(in.scalar(key));
    }
    return out;
  }
}
