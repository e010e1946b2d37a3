package io.pumpd.core.codec;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.pumpd.core.deadletter.RateLimitedLogger;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.GeoData;
import io.pumpd.core.record.GoTime;
import io.pumpd.core.record.GraphQLStats;
import io.pumpd.core.record.GraphQLStats.GraphError;
import io.pumpd.core.record.Latency;
import io.pumpd.core.record.McpStats;
import io.pumpd.core.record.NetworkStats;
import io.pumpd.core.text.ControlCharacters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes the gateway's protobuf request records ({@code serializer_type: "protobuf"}, the
 * {@code *_protobuf} Redis lists): one proto3 {@code normalproto.AnalyticsRecord} message per
 * element, schema in {@code pump-core/src/main/proto/analytics.proto}, into the same {@link
 * AnalyticsRecord} that Tyk Pump makes of it ({@code reference/tyk-pump.md} §3.3):
 *
 * <ul>
 *   <li>{@code Latency.Gateway} is not on the wire: 0. {@code Geo.City.Names} is on the wire but
 *       dropped: {@code null}. GraphQL errors carry only their message: {@code path} is {@code
 *       null}. An empty {@code Tags} list is {@code null}.
 *   <li>{@code GraphQLStats} and {@code MCPStats} are taken from the message when it is present
 *       (the gateway writes them only for GraphQL and MCP requests), else left at their zero
 *       value. A present {@code GraphQLStats} always has {@code Types} (empty when none) and
 *       {@code Errors} (empty when none); {@code RootFields} is {@code null} when empty, a type
 *       with no fields maps to {@code null}; an operation type other than 1 to 3 becomes 0.
 *   <li>Both times are read in the zone named by {@code TimeZone}, which becomes the record's
 *       {@linkplain AnalyticsRecord#getZone() zone}: {@code "UTC"} and {@code ""} are UTC,
 *       {@code "Local"} is this reader's local zone (given to the constructor; by default the
 *       JVM's default zone), an IANA name is that zone. A name that Go's {@code
 *       time.LoadLocation} could not load either (not an IANA zone ID: {@code +0530}, {@code
 *       CEST}, a path) leaves both times at Go's zero time, in UTC, as Tyk Pump does; that is
 *       logged (rate-limited), and the record is kept. A missing time is the Unix epoch.
 * </ul>
 *
 * <p>Strict where the element cannot be a gateway's record, so that it is dead-lettered rather
 * than turned into a wrong one; {@link RecordDecodeException} names the field and the byte
 * offset for: an empty element; bytes that are not protobuf (a truncated field or length, a
 * malformed varint, an invalid tag or wire type); a known field with another wire type than its
 * schema's; a string that is not valid UTF-8 (Go's decoder refuses it too); a time out of {@link
 * Instant}'s range; and a message lacking {@code Geo} (with its {@code Country}, {@code City} and
 * {@code Location}), {@code Network} or {@code Latency}, which a gateway always writes and without
 * which Tyk Pump's reader fails. Unknown fields (a newer gateway's) are skipped. Repeated
 * occurrences of a field follow protobuf's rules (the last scalar wins, messages merge, lists
 * append). Nothing else is thrown for any input.
 *
 * <p><b>Limits.</b> Every length is checked against the bytes that remain before anything is
 * allocated, and what the element decodes to is charged as it is decoded with the estimates the
 * msgpack decoder uses: past {@code maxHeapBytes}, decoding stops with a {@link
 * RecordDecodeException} before the excess is allocated. {@link BatchDecoder} gives it twice
 * {@code max_element_bytes}, as for msgpack.
 *
 * <p>Decoding reads the element's fields by number with protobuf-java's {@link CodedInputStream}
 * straight into the record (no intermediate generated message), building strings from the
 * element's bytes.
 *
 * <p>Threading: not thread-safe (it reuses per-element state); use one instance per thread
 * (instances are cheap). Records it returns are independent of it.
 */
public final class ProtobufRecordDecoder implements ElementDecoder<AnalyticsRecord> {
  private static final Logger LOG = LoggerFactory.getLogger(ProtobufRecordDecoder.class);
  private static final RateLimitedLogger ZONE_LOG =
      new RateLimitedLogger(LOG, Duration.ofSeconds(10));

  /** The zone IDs {@link ZoneId#of} knows from its IANA database (not offsets nor prefixes). */
  private static final Set<String> ZONE_IDS = ZoneId.getAvailableZoneIds();

  private static final byte[] NO_BYTES = new byte[0];
  private static final long GO_ZERO_SECONDS = GoTime.ZERO.getEpochSecond();

  private static final long GRAPH_ERROR_HEAP = 32;
  private static final int MAX_GROUP_DEPTH = 64;

  // wire types
  private static final int VARINT = 0;
  private static final int I64 = 1;
  private static final int LEN = 2;
  private static final int START_GROUP = 3;
  private static final int END_GROUP = 4;
  private static final int I32 = 5;

  /** AnalyticsRecord: field number to name and wire type. */
  private static final Schema RECORD = new Schema("",
      "Host", LEN, "Method", LEN, "Path", LEN, "RawPath", LEN, "ContentLength", VARINT,
      "UserAgent", LEN, "Day", VARINT, "Month", VARINT, "Year", VARINT, "Hour", VARINT,
      "ResponseCode", VARINT, "APIKey", LEN, "TimeStamp", LEN, "APIVersion", LEN, "APIName", LEN,
      "APIID", LEN, "OrgID", LEN, "RequestTime", VARINT, "Latency", LEN, "RawRequest", LEN,
      "RawResponse", LEN, "IPAddress", LEN, "Geo", LEN, "Network", LEN, "Tags", LEN, "Alias", LEN,
      "TrackPath", VARINT, "ExpireAt", LEN, "OauthID", LEN, "TimeZone", LEN, "ApiSchema", LEN,
      "GraphQLStats", LEN, "MCPStats", LEN, "OriginalPath", LEN, "ListenPath", LEN);
  private static final Schema TIME_STAMP = new Schema("TimeStamp.", "seconds", VARINT, "nanos", VARINT);
  private static final Schema EXPIRE_AT = new Schema("ExpireAt.", "seconds", VARINT, "nanos", VARINT);
  private static final int TIME_STAMP_FIELD = 13;
  private static final int EXPIRE_AT_FIELD = 28;
  private static final Schema LATENCY = new Schema("Latency.", "Total", VARINT, "Upstream", VARINT);
  private static final Schema GEO = new Schema("Geo.", "Country", LEN, "City", LEN, "Location", LEN);
  private static final Schema COUNTRY = new Schema("Geo.Country.", "ISOCode", LEN);
  private static final Schema CITY = new Schema("Geo.City.", "Names", LEN, "GeoNameID", VARINT);
  private static final Schema NAMES_ENTRY = new Schema("Geo.City.Names.", "key", LEN, "value", LEN);
  private static final Schema LOCATION =
      new Schema("Geo.Location.", "Latitude", I64, "Longitude", I64, "TimeZone", LEN);
  private static final Schema NETWORK = new Schema("Network.", "OpenConnections", VARINT,
      "ClosedConnections", VARINT, "BytesIn", VARINT, "BytesOut", VARINT);
  private static final Schema GRAPHQL = new Schema("GraphQLStats.", "IsGraphQL", VARINT,
      "Types", LEN, "OperationType", VARINT, "Variables", LEN, "RootFields", LEN,
      "HasError", VARINT, "GraphErrors", LEN);
  private static final Schema TYPES_ENTRY = new Schema("GraphQLStats.Types.", "key", LEN, "value", LEN);
  private static final Schema TYPE_FIELDS = new Schema("GraphQLStats.Types.value.", "fields", LEN);
  private static final Schema MCP = new Schema("MCPStats.", "IsMCP", VARINT, "JSONRPCMethod", LEN,
      "PrimitiveType", LEN, "PrimitiveName", LEN);

  private final long heapLimit;
  private final ZoneId localZone;
  /** Zone names resolved so far: only valid IANA IDs are kept, so its size is bounded. */
  private final Map<String, ZoneId> zones = new HashMap<>();

  // ---- the element being decoded ----
  private byte[] buf = NO_BYTES;
  private CodedInputStream in;
  private long heap;

  // ---- fields of nested messages, merged as protobuf merges repeated occurrences ----
  private long tsSeconds;
  private int tsNanos;
  private long expSeconds;
  private int expNanos;
  private boolean latencySeen;
  private long latencyTotal;
  private long latencyUpstream;
  private boolean geoSeen;
  private boolean countrySeen;
  private boolean citySeen;
  private boolean locationSeen;
  private String isoCode;
  private long geoNameId;
  private double latitude;
  private double longitude;
  private String locationZone;
  private boolean networkSeen;
  private long openConnections;
  private long closedConnections;
  private long bytesIn;
  private long bytesOut;
  private boolean graphSeen;
  private boolean isGraphQl;
  private Map<String, List<String>> graphTypes;
  private int operationType;
  private String variables;
  private List<String> rootFields;
  private boolean hasError;
  private List<GraphError> graphErrors;
  private boolean mcpSeen;
  private boolean isMcp;
  private String jsonRpcMethod;
  private String primitiveType;
  private String primitiveName;

  /** Without a limit on what an element may decode to; {@code Local} is the JVM's default zone. */
  public ProtobufRecordDecoder() {
    this(Long.MAX_VALUE);
  }

  /**
   * With a limit on what one element may decode to; {@code Local} is the JVM's default zone
   * ({@link ZoneId#systemDefault()} when this is constructed).
   *
   * @param maxHeapBytes most heap one element may decode to (estimated as it is decoded); an
   *     element that would take more fails with {@link RecordDecodeException} before the excess is
   *     allocated; {@link Long#MAX_VALUE} for no limit
   */
  public ProtobufRecordDecoder(long maxHeapBytes) {
    this(maxHeapBytes, ZoneId.systemDefault());
  }

  /**
   * As {@link #ProtobufRecordDecoder(long)}, reading a {@code TimeZone} of {@code "Local"} (a
   * gateway started without {@code TZ}) as {@code localZone}: Tyk Pump reads it as its own local
   * zone.
   */
  public ProtobufRecordDecoder(long maxHeapBytes, ZoneId localZone) {
    if (maxHeapBytes <= 0) {
      throw new IllegalArgumentException("maxHeapBytes must be > 0: " + maxHeapBytes);
    }
    this.heapLimit = maxHeapBytes;
    this.localZone = Objects.requireNonNull(localZone, "localZone");
  }

  /** The zone a {@code TimeZone} of {@code "Local"} is read as. */
  public ZoneId localZone() {
    return localZone;
  }

  /** Same as {@link #decodeRecord}. */
  @Override
  public AnalyticsRecord decode(byte[] element) throws RecordDecodeException {
    return decodeRecord(element);
  }

  /**
   * The estimated heap taken by the last record decoded (its objects, strings and collections);
   * what the delivery engine counts against its in-flight budget.
   */
  @Override
  public long lastHeapBytes() {
    return heap;
  }

  /**
   * Decodes one element: exactly one {@code normalproto.AnalyticsRecord} message.
   *
   * @throws RecordDecodeException when it is not one (see the class description), or would decode
   *     to more heap than this decoder's limit
   */
  public AnalyticsRecord decodeRecord(byte[] bytes) throws RecordDecodeException {
    if (bytes == null || bytes.length == 0) {
      throw new RecordDecodeException("empty element: no protobuf AnalyticsRecord");
    }
    buf = bytes;
    heap = 0;
    in = CodedInputStream.newInstance(bytes);
    String at = "AnalyticsRecord";
    try {
      in.pushLimit(bytes.length);
      charge(MsgpackRecordDecoder.RECORD_HEAP, at);
      return record();
    } catch (IOException e) { // InvalidProtocolBufferException: a byte array does no other I/O
      throw malformed(e);
    } finally {
      buf = NO_BYTES;
      in = null;
      graphTypes = null;
      rootFields = null;
      graphErrors = null;
    }
  }

  private AnalyticsRecord record() throws IOException, RecordDecodeException {
    AnalyticsRecord r = new AnalyticsRecord();
    reset();
    List<String> tags = null;
    String zoneName = "";
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (tag) {
        case 1 << 3 | LEN -> r.setHost(string("Host"));
        case 2 << 3 | LEN -> r.setMethod(string("Method"));
        case 3 << 3 | LEN -> r.setPath(string("Path"));
        case 4 << 3 | LEN -> r.setRawPath(string("RawPath"));
        case 5 << 3 | VARINT -> r.setContentLength(in.readInt64());
        case 6 << 3 | LEN -> r.setUserAgent(string("UserAgent"));
        case 7 << 3 | VARINT -> r.setDay(in.readInt32());
        case 8 << 3 | VARINT -> r.setMonth(in.readInt32());
        case 9 << 3 | VARINT -> r.setYear(in.readInt32());
        case 10 << 3 | VARINT -> r.setHour(in.readInt32());
        case 11 << 3 | VARINT -> r.setResponseCode(in.readInt32());
        case 12 << 3 | LEN -> r.setApiKey(string("APIKey"));
        case 13 << 3 | LEN -> timestamp(TIME_STAMP);
        case 14 << 3 | LEN -> r.setApiVersion(string("APIVersion"));
        case 15 << 3 | LEN -> r.setApiName(string("APIName"));
        case 16 << 3 | LEN -> r.setApiId(string("APIID"));
        case 17 << 3 | LEN -> r.setOrgId(string("OrgID"));
        case 18 << 3 | VARINT -> r.setRequestTime(in.readInt64());
        case 19 << 3 | LEN -> latency();
        case 20 << 3 | LEN -> r.setRawRequest(string("RawRequest"));
        case 21 << 3 | LEN -> r.setRawResponse(string("RawResponse"));
        case 22 << 3 | LEN -> r.setIpAddress(string("IPAddress"));
        case 23 << 3 | LEN -> geo();
        case 24 << 3 | LEN -> network();
        case 25 << 3 | LEN -> tags = add(tags, "Tags");
        case 26 << 3 | LEN -> r.setAlias(string("Alias"));
        case 27 << 3 | VARINT -> r.setTrackPath(in.readBool());
        case 28 << 3 | LEN -> timestamp(EXPIRE_AT);
        case 29 << 3 | LEN -> r.setOauthId(string("OauthID"));
        case 30 << 3 | LEN -> zoneName = string("TimeZone");
        case 31 << 3 | LEN -> r.setApiSchema(string("ApiSchema"));
        case 32 << 3 | LEN -> graphQl();
        case 33 << 3 | LEN -> mcp();
        case 34 << 3 | LEN -> r.setOriginalPath(string("OriginalPath"));
        case 35 << 3 | LEN -> r.setListenPath(string("ListenPath"));
        default -> other(tag, RECORD);
      }
    }
    requirePresent();
    r.setTags(tags);
    r.setGeo(geoData());
    r.setNetwork((openConnections | closedConnections | bytesIn | bytesOut) == 0
        ? NetworkStats.EMPTY
        : new NetworkStats(openConnections, closedConnections, bytesIn, bytesOut));
    r.setLatency((latencyTotal | latencyUpstream) == 0
        ? Latency.EMPTY
        : new Latency(latencyTotal, latencyUpstream, 0));
    if (graphSeen) {
      r.setGraphQLStats(graphQlStats());
    }
    if (mcpSeen) {
      r.setMcpStats(!isMcp && jsonRpcMethod.isEmpty() && primitiveType.isEmpty()
              && primitiveName.isEmpty()
          ? McpStats.EMPTY
          : new McpStats(isMcp, jsonRpcMethod, primitiveType, primitiveName));
    }
    times(r, zoneName);
    return r;
  }

  private void reset() {
    tsSeconds = 0;
    tsNanos = 0;
    expSeconds = 0;
    expNanos = 0;
    latencySeen = false;
    latencyTotal = 0;
    latencyUpstream = 0;
    geoSeen = false;
    countrySeen = false;
    citySeen = false;
    locationSeen = false;
    isoCode = "";
    geoNameId = 0;
    latitude = 0;
    longitude = 0;
    locationZone = "";
    networkSeen = false;
    openConnections = 0;
    closedConnections = 0;
    bytesIn = 0;
    bytesOut = 0;
    graphSeen = false;
    isGraphQl = false;
    graphTypes = null;
    operationType = 0;
    variables = "";
    rootFields = null;
    hasError = false;
    graphErrors = null;
    mcpSeen = false;
    isMcp = false;
    jsonRpcMethod = "";
    primitiveType = "";
    primitiveName = "";
  }

  /** The sub-messages Tyk Pump's reader dereferences unchecked: a gateway always writes them. */
  private void requirePresent() throws RecordDecodeException {
    String missing = !geoSeen ? "Geo (23)"
        : !countrySeen ? "Geo.Country (23.1)"
        : !citySeen ? "Geo.City (23.2)"
        : !locationSeen ? "Geo.Location (23.3)"
        : !networkSeen ? "Network (24)"
        : !latencySeen ? "Latency (19)"
        : null;
    if (missing != null) {
      throw new RecordDecodeException("not a gateway's AnalyticsRecord: " + missing
          + " is missing (element of " + buf.length + " bytes); a gateway always writes it and "
          + "Tyk Pump cannot read a record without it");
    }
  }

  // ---- times ----

  /** {@code google.protobuf.Timestamp}: seconds (1), nanos (2). */
  private void timestamp(Schema schema) throws IOException, RecordDecodeException {
    boolean expire = schema == EXPIRE_AT;
    int outer = enter(RECORD, expire ? EXPIRE_AT_FIELD : TIME_STAMP_FIELD);
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (tag) {
        case 1 << 3 | VARINT -> {
          if (expire) {
            expSeconds = in.readInt64();
          } else {
            tsSeconds = in.readInt64();
          }
        }
        case 2 << 3 | VARINT -> {
          if (expire) {
            expNanos = in.readInt32();
          } else {
            tsNanos = in.readInt32();
          }
        }
        default -> other(tag, schema);
      }
    }
    in.popLimit(outer);
  }

  /** Both times, in the zone {@code TimeZone} names, as Tyk Pump's {@code TimeStampFromProto}. */
  private void times(AnalyticsRecord r, String zoneName) throws RecordDecodeException {
    Instant timeStamp = instant(tsSeconds, tsNanos, "TimeStamp");
    Instant expireAt = instant(expSeconds, expNanos, "ExpireAt");
    ZoneId zone = zone(zoneName);
    if (zone == null) {
      ZONE_LOG.warn("protobuf-time-zone", "protobuf record with TimeZone \"{}\", which is not a "
              + "loadable zone name: its timestamp and expireAt are left at Go's zero time, as Tyk "
              + "Pump leaves them (timestamp was {})",
          ControlCharacters.escape(zoneName), timeStamp);
      r.setTimeStamp(GoTime.ZERO).setExpireAt(GoTime.ZERO).setZone(ZoneOffset.UTC);
      return;
    }
    r.setTimeStamp(timeStamp).setExpireAt(expireAt).setZone(zone);
  }

  private Instant instant(long seconds, int nanos, String field) throws RecordDecodeException {
    if (nanos == 0) {
      if (seconds == GO_ZERO_SECONDS) {
        return GoTime.ZERO;
      }
      if (seconds == 0) {
        return Instant.EPOCH;
      }
    }
    try {
      return Instant.ofEpochSecond(seconds, nanos); // normalises nanos outside [0, 1e9) as Go does
    } catch (DateTimeException | ArithmeticException e) {
      throw new RecordDecodeException("field " + field + ": time [" + seconds + ", " + nanos
          + "] is out of range (element of " + buf.length + " bytes)", e);
    }
  }

  /** Go's {@code time.LoadLocation}: null for a name it could not load. */
  private ZoneId zone(String name) {
    if (name.isEmpty() || name.equals("UTC")) {
      return ZoneOffset.UTC;
    }
    if (name.equals("Local")) {
      return localZone;
    }
    ZoneId z = zones.get(name);
    if (z == null && ZONE_IDS.contains(name)) {
      try {
        z = ZoneId.of(name);
        zones.put(name, z);
      } catch (DateTimeException e) {
        return null;
      }
    }
    return z;
  }

  // ---- nested messages ----

  private void latency() throws IOException, RecordDecodeException {
    latencySeen = true;
    int outer = enter(RECORD, 19);
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (tag) {
        case 1 << 3 | VARINT -> latencyTotal = in.readInt64();
        case 2 << 3 | VARINT -> latencyUpstream = in.readInt64();
        default -> other(tag, LATENCY);
      }
    }
    in.popLimit(outer);
  }

  private void network() throws IOException, RecordDecodeException {
    networkSeen = true;
    int outer = enter(RECORD, 24);
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (tag) {
        case 1 << 3 | VARINT -> openConnections = in.readInt64();
        case 2 << 3 | VARINT -> closedConnections = in.readInt64();
        case 3 << 3 | VARINT -> bytesIn = in.readInt64();
        case 4 << 3 | VARINT -> bytesOut = in.readInt64();
        default -> other(tag, NETWORK);
      }
    }
    in.popLimit(outer);
  }

  private void geo() throws IOException, RecordDecodeException {
    geoSeen = true;
    int outer = enter(RECORD, 23);
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (tag) {
        case 1 << 3 | LEN -> country();
        case 2 << 3 | LEN -> city();
        case 3 << 3 | LEN -> location();
        default -> other(tag, GEO);
      }
    }
    in.popLimit(outer);
  }

  private void country() throws IOException, RecordDecodeException {
    countrySeen = true;
    int outer = enter(GEO, 1);
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (tag == (1 << 3 | LEN)) {
        isoCode = string("Geo.Country.ISOCode");
      } else {
        other(tag, COUNTRY);
      }
    }
    in.popLimit(outer);
  }

  private void city() throws IOException, RecordDecodeException {
    citySeen = true;
    int outer = enter(GEO, 2);
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (tag) {
        case 1 << 3 | LEN -> skipNamesEntry();
        case 2 << 3 | VARINT -> geoNameId = Integer.toUnsignedLong(in.readUInt32());
        default -> other(tag, CITY);
      }
    }
    in.popLimit(outer);
  }

  /** A {@code Names} map entry: checked as Go's decoder checks it, then dropped as Pump drops it. */
  private void skipNamesEntry() throws IOException, RecordDecodeException {
    int outer = enter(CITY, 1);
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (tag) {
        case 1 << 3 | LEN -> skipString("Geo.City.Names.key");
        case 2 << 3 | LEN -> skipString("Geo.City.Names.value");
        default -> other(tag, NAMES_ENTRY);
      }
    }
    in.popLimit(outer);
  }

  private void location() throws IOException, RecordDecodeException {
    locationSeen = true;
    int outer = enter(GEO, 3);
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (tag) {
        case 1 << 3 | I64 -> latitude = in.readDouble();
        case 2 << 3 | I64 -> longitude = in.readDouble();
        case 3 << 3 | LEN -> locationZone = string("Geo.Location.TimeZone");
        default -> other(tag, LOCATION);
      }
    }
    in.popLimit(outer);
  }

  private GeoData geoData() {
    GeoData.Country country = isoCode.isEmpty() ? GeoData.Country.EMPTY : new GeoData.Country(isoCode);
    GeoData.City city = geoNameId == 0 ? GeoData.City.EMPTY : new GeoData.City(geoNameId, null);
    // raw bits: -0.0 is kept, as Go keeps it
    GeoData.Location location = Double.doubleToRawLongBits(latitude) == 0
            && Double.doubleToRawLongBits(longitude) == 0 && locationZone.isEmpty()
        ? GeoData.Location.EMPTY
        : new GeoData.Location(latitude, longitude, locationZone);
    if (country == GeoData.Country.EMPTY && city == GeoData.City.EMPTY
        && location == GeoData.Location.EMPTY) {
      return GeoData.EMPTY;
    }
    return new GeoData(country, city, location);
  }

  private void graphQl() throws IOException, RecordDecodeException {
    graphSeen = true;
    int outer = enter(RECORD, 32);
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (tag) {
        case 1 << 3 | VARINT -> isGraphQl = in.readBool();
        case 2 << 3 | LEN -> typesEntry();
        case 3 << 3 | VARINT -> operationType = in.readEnum();
        case 4 << 3 | LEN -> variables = string("GraphQLStats.Variables");
        case 5 << 3 | LEN -> rootFields = add(rootFields, "GraphQLStats.RootFields");
        case 6 << 3 | VARINT -> hasError = in.readBool();
        case 7 << 3 | LEN -> graphError();
        default -> other(tag, GRAPHQL);
      }
    }
    in.popLimit(outer);
  }

  /** A {@code Types} map entry: type name (1) to its fields (2); a later entry replaces. */
  private void typesEntry() throws IOException, RecordDecodeException {
    int outer = enter(GRAPHQL, 2);
    if (graphTypes == null) {
      charge(MsgpackReader.mapHeap(0), "GraphQLStats.Types");
      graphTypes = new LinkedHashMap<>();
    }
    charge(MsgpackReader.mapHeap(1) - MsgpackReader.mapHeap(0), "GraphQLStats.Types");
    String name = "";
    List<String> fields = null;
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (tag) {
        case 1 << 3 | LEN -> name = string("GraphQLStats.Types.key");
        case 2 << 3 | LEN -> fields = typeFields(fields);
        default -> other(tag, TYPES_ENTRY);
      }
    }
    in.popLimit(outer);
    graphTypes.put(name, fields);
  }

  /** {@code RepeatedFields}: repeated string (1); none is {@code null}. */
  private List<String> typeFields(List<String> fields) throws IOException, RecordDecodeException {
    int outer = enter(TYPES_ENTRY, 2);
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (tag == (1 << 3 | LEN)) {
        fields = add(fields, "GraphQLStats.Types.value.fields");
      } else {
        other(tag, TYPE_FIELDS);
      }
    }
    in.popLimit(outer);
    return fields;
  }

  private void graphError() throws IOException, RecordDecodeException {
    String at = "GraphQLStats.GraphErrors";
    if (graphErrors == null) {
      charge(MsgpackReader.listHeap(0), at);
      graphErrors = new ArrayList<>();
    }
    charge(8 + GRAPH_ERROR_HEAP, at);
    graphErrors.add(new GraphError(string(at), null));
  }

  private GraphQLStats graphQlStats() {
    Map<String, List<String>> types = graphTypes == null ? Collections.emptyMap() : graphTypes;
    List<GraphError> errors = graphErrors == null ? Collections.emptyList() : graphErrors;
    int op = operationType >= 1 && operationType <= 3 ? operationType : 0;
    return new GraphQLStats(variables, rootFields, types, errors, op, hasError, isGraphQl);
  }

  private void mcp() throws IOException, RecordDecodeException {
    mcpSeen = true;
    int outer = enter(RECORD, 33);
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (tag) {
        case 1 << 3 | VARINT -> isMcp = in.readBool();
        case 2 << 3 | LEN -> jsonRpcMethod = string("MCPStats.JSONRPCMethod");
        case 3 << 3 | LEN -> primitiveType = string("MCPStats.PrimitiveType");
        case 4 << 3 | LEN -> primitiveName = string("MCPStats.PrimitiveName");
        default -> other(tag, MCP);
      }
    }
    in.popLimit(outer);
  }

  // ---- primitives ----

  /** Enters the length-delimited message of field {@code number} of {@code schema}. */
  private int enter(Schema schema, int number) throws IOException, RecordDecodeException {
    return in.pushLimit(length(schema.path(number)));
  }

  /** A length prefix, checked against what is left of the enclosing message. */
  private int length(String path) throws IOException, RecordDecodeException {
    int start = in.getTotalBytesRead();
    long len = in.readRawVarint64(); // all 64 bits: a length past 2^32 is not a small one
    int left = in.getBytesUntilLimit();
    if (len < 0 || len > left) {
      throw new RecordDecodeException("truncated: field " + path + " at byte " + start
          + " declares " + Long.toUnsignedString(len) + " bytes but only " + left
          + " are left (element of " + buf.length + " bytes)");
    }
    return (int) len;
  }

  /** A proto3 {@code string}: valid UTF-8, charged before it is allocated. */
  private String string(String path) throws IOException, RecordDecodeException {
    int len = length(path);
    if (len == 0) {
      return "";
    }
    charge(MsgpackReader.stringHeap(len), path);
    int off = in.getTotalBytesRead();
    String s = new String(buf, off, len, StandardCharsets.UTF_8);
    // the JDK replaces malformed input with U+FFFD: only then can the bytes be invalid
    if (s.indexOf('\uFFFD') >= 0 && !Utf8Validation.isValid(buf, off, len)) {
      throw invalidUtf8(path, off, len);
    }
    in.skipRawBytes(len);
    return s;
  }

  private void skipString(String path) throws IOException, RecordDecodeException {
    int len = length(path);
    int off = in.getTotalBytesRead();
    if (!Utf8Validation.isValid(buf, off, len)) {
      throw invalidUtf8(path, off, len);
    }
    in.skipRawBytes(len);
  }

  private RecordDecodeException invalidUtf8(String path, int off, int len) {
    return new RecordDecodeException("field " + path + ": string of " + len + " bytes at byte "
        + off + " is not valid UTF-8 (element of " + buf.length + " bytes)");
  }

  /** Appends the next string of a repeated field to {@code list}, creating it first. */
  private List<String> add(List<String> list, String path) throws IOException, RecordDecodeException {
    if (list == null) {
      charge(MsgpackReader.listHeap(0), path);
      list = new ArrayList<>();
    }
    charge(8, path);
    list.add(string(path));
    return list;
  }

  /**
   * A field this decoder does not take: skipped when its number is unknown to {@code schema}
   * (a newer gateway's field), refused when it is known but came with another wire type.
   */
  private void other(int tag, Schema schema) throws IOException, RecordDecodeException {
    int number = tag >>> 3;
    int wireType = tag & 7;
    int expected = schema.wireType(number);
    if (expected >= 0) {
      throw new RecordDecodeException("field " + schema.path(number) + " (" + number + ") at byte "
          + tagStart(tag) + " has wire type " + wireType + " (" + wireTypeName(wireType)
          + "), expected " + expected + " (" + wireTypeName(expected) + ") (element of "
          + buf.length + " bytes)");
    }
    skipUnknown(tag, schema, 0);
  }

  private void skipUnknown(int tag, Schema schema, int depth)
      throws IOException, RecordDecodeException {
    int number = tag >>> 3;
    String path = schema.prefix + number;
    switch (tag & 7) {
      case VARINT -> in.readRawVarint64();
      case I64 -> in.skipRawBytes(8);
      case I32 -> in.skipRawBytes(4);
      case LEN -> in.skipRawBytes(length("unknown " + path));
      case START_GROUP -> {
        if (depth >= MAX_GROUP_DEPTH) {
          throw new RecordDecodeException("unknown field " + path + ": groups nested deeper than "
              + MAX_GROUP_DEPTH + " at byte " + in.getTotalBytesRead());
        }
        for (int inner; ; ) {
          inner = in.readTag();
          if (inner == 0) {
            throw new RecordDecodeException("truncated: group " + path
                + " has no end before byte " + in.getTotalBytesRead() + " (element of "
                + buf.length + " bytes)");
          }
          if ((inner & 7) == END_GROUP) {
            if (inner >>> 3 != number) {
              throw new RecordDecodeException("group " + path + " ends with the end tag of field "
                  + (inner >>> 3) + " at byte " + tagStart(inner));
            }
            return;
          }
          skipUnknown(inner, schema, depth + 1);
        }
      }
      case END_GROUP -> throw new RecordDecodeException("end-group tag of field " + path
          + " at byte " + tagStart(tag) + " without a start (element of " + buf.length + " bytes)");
      default -> throw new RecordDecodeException("field " + path + " at byte " + tagStart(tag)
          + " has invalid wire type " + (tag & 7) + ": not protobuf (element of " + buf.length
          + " bytes)");
    }
  }

  /** The offset of a tag just read (tags of up to 5 varint bytes). */
  private int tagStart(int tag) {
    int size = CodedOutputStream.computeUInt32SizeNoTag(tag);
    return in.getTotalBytesRead() - size;
  }

  private static String wireTypeName(int wireType) {
    return switch (wireType) {
      case VARINT -> "varint";
      case I64 -> "64-bit";
      case LEN -> "length-delimited";
      case START_GROUP -> "start group";
      case END_GROUP -> "end group";
      case I32 -> "32-bit";
      default -> "invalid";
    };
  }

  /** See {@link MsgpackReader#charge}: checked before allocating. */
  private void charge(long bytes, String path) throws RecordDecodeException {
    heap += bytes;
    if (heap > heapLimit) {
      throw new RecordDecodeException("element of " + buf.length + " bytes decodes to more than "
          + heapLimit + " bytes of heap (at field " + path + "); the limit is twice "
          + "max_element_bytes");
    }
  }

  private RecordDecodeException malformed(IOException e) {
    int at = in == null ? 0 : in.getTotalBytesRead();
    String message = String.valueOf(e.getMessage());
    String kind = message.contains("ended unexpectedly") || message.contains("truncated")
        ? "truncated: " : "not protobuf: ";
    return new RecordDecodeException(kind + "at byte " + at + " of an element of " + buf.length
        + " bytes: " + message, e);
  }

  /** Field names and wire types of one message type, by field number (from 1). */
  private static final class Schema {
    final String prefix;
    private final String[] names;
    private final int[] wireTypes;

    /** {@code prefix} then pairs of (name, wire type) for fields 1, 2, ... */
    Schema(String prefix, Object... fields) {
      this.prefix = prefix;
      int n = fields.length / 2;
      names = new String[n + 1];
      wireTypes = new int[n + 1];
      wireTypes[0] = -1;
      for (int i = 0; i < n; i++) {
        names[i + 1] = (String) fields[2 * i];
        wireTypes[i + 1] = (Integer) fields[2 * i + 1];
      }
    }

    /** The expected wire type of field {@code number}; -1 for a field this schema lacks. */
    int wireType(int number) {
      return number > 0 && number < wireTypes.length ? wireTypes[number] : -1;
    }

    String path(int number) {
      return number > 0 && number < names.length ? prefix + names[number] : prefix + number;
    }
  }
}
