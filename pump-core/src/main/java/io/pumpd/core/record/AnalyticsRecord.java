package io.pumpd.core.record;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;

/**
 * One API request as the Tyk Gateway records it (Go {@code analytics.AnalyticsRecord}).
 *
 * <p>On the wire (msgpack) the keys are the Go field names listed on each accessor; in JSON the
 * keys are Tyk's json tags (Jackson annotations on the fields), so that {@link RecordJson} renders
 * exactly what Tyk's JSON-emitting pumps print. {@code CollectionName} is decoded but never rendered
 * (json tag {@code -}).
 *
 * <p>Mutable, not thread-safe. A decoded record is shared read-only by every pump of a batch; code
 * that changes a record (trimming, {@code ignore_fields}) works on a {@link #copy()}. Strings are
 * never {@code null}; lists and maps are {@code null} where the gateway wrote nil; nested values
 * are immutable records, never {@code null}.
 */
@JsonAutoDetect(
    fieldVisibility = Visibility.ANY,
    getterVisibility = Visibility.NONE,
    isGetterVisibility = Visibility.NONE,
    setterVisibility = Visibility.NONE)
@JsonPropertyOrder({  "method",
  "host",
  "path",
  "raw_path",
  "content_length",
  "user_agent",
  "day",
  "month",
  "year",
  "hour",
  "response_code",
  "api_key",
  "timestamp",
  "api_version",
  "api_name",
  "api_id",
  "org_id",
  "oauth_id",
  "request_time",
  "raw_request",
  "raw_response",
  "ip_address",
  "geo",
  "network",
  "latency",
  "tags",
  "alias",
  "track_path",
  "expireAt",
  "api_schema",
  "original_path",
  "listen_path",
  "graphql_stats",
  "mcp_stats"
})
public final class AnalyticsRecord {
  @JsonProperty("method")
  private String method = "";

  @JsonProperty("host")
  private String host = "";

  @JsonProperty("path")
  private String path = "";

  @JsonProperty("raw_path")
  private String rawPath = "";

  @JsonProperty("content_length")
  private long contentLength;

  @JsonProperty("user_agent")
  private String userAgent = "";

  @JsonProperty("day")
  private int day;

  @JsonProperty("month")
  private int month;

  @JsonProperty("year")
  private int year;

  @JsonProperty("hour")
  private int hour;

  @JsonProperty("response_code")
  private int responseCode;

  @JsonProperty("api_key")
  private String apiKey = "";

  @JsonProperty("timestamp")
  private Instant timeStamp = GoTime.ZERO;

  @JsonProperty("api_version")
  private String apiVersion = "";

  @JsonProperty("api_name")
  private String apiName = "";

  @JsonProperty("api_id")
  private String apiId = "";

  @JsonProperty("org_id")
  private String orgId = "";

  @JsonProperty("oauth_id")
  private String oauthId = "";

  @JsonProperty("request_time")
  private long requestTime;

  @JsonProperty("raw_request")
  private String rawRequest = "";

  @JsonProperty("raw_response")
  private String rawResponse = "";

  @JsonProperty("ip_address")
  private String ipAddress = "";

  @JsonProperty("geo")
  private GeoData geo = GeoData.EMPTY;

  @JsonProperty("network")
  private NetworkStats network = NetworkStats.EMPTY;

  @JsonProperty("latency")
  private Latency latency = Latency.EMPTY;

  @JsonProperty("tags")
  private List<String> tags;

  @JsonProperty("alias")
  private String alias = "";

  @JsonProperty("track_path")
  private boolean trackPath;

  @JsonProperty("expireAt")
  private Instant expireAt = GoTime.ZERO;

  @JsonProperty("api_schema")
  private String apiSchema = "";

  @JsonProperty("original_path")
  private String originalPath = "";

  @JsonProperty("listen_path")
  private String listenPath = "";

  @JsonProperty("graphql_stats")
  private GraphQLStats graphQLStats = GraphQLStats.EMPTY;

  @JsonProperty("mcp_stats")
  private McpStats mcpStats = McpStats.EMPTY;

  @JsonIgnore
  private String collectionName = "";

  @JsonIgnore
  private ZoneId zone = ZoneOffset.UTC;

  /** A record with every field at its Go zero value. */
  public AnalyticsRecord() {}

  /** A shallow copy: nested values are immutable, lists and maps are shared and must not be changed. */
  public AnalyticsRecord copy() {
    AnalyticsRecord c = new AnalyticsRecord();
    c.method = method;
    c.host = host;
    c.path = path;
    c.rawPath = rawPath;
    c.contentLength = contentLength;
    c.userAgent = userAgent;
    c.day = day;
    c.month = month;
    c.year = year;
    c.hour = hour;
    c.responseCode = responseCode;
    c.apiKey = apiKey;
    c.timeStamp = timeStamp;
    c.apiVersion = apiVersion;
    c.apiName = apiName;
    c.apiId = apiId;
    c.orgId = orgId;
    c.oauthId = oauthId;
    c.requestTime = requestTime;
    c.rawRequest = rawRequest;
    c.rawResponse = rawResponse;
    c.ipAddress = ipAddress;
    c.geo = geo;
    c.network = network;
    c.latency = latency;
    c.tags = tags;
    c.alias = alias;
    c.trackPath = trackPath;
    c.expireAt = expireAt;
    c.apiSchema = apiSchema;
    c.originalPath = originalPath;
    c.listenPath = listenPath;
    c.graphQLStats = graphQLStats;
    c.mcpStats = mcpStats;
    c.collectionName = collectionName;
    c.zone = zone;
    return c;
  }

  /** Go field {@code Method}. */
  public String getMethod() {
    return method;
  }

  public AnalyticsRecord setMethod(String value) {
    this.method = value == null ? "" : value;
    return this;
  }

  /** Go field {@code Host}. */
  public String getHost() {
    return host;
  }

  public AnalyticsRecord setHost(String value) {
    this.host = value == null ? "" : value;
    return this;
  }

  /** Go field {@code Path}. */
  public String getPath() {
    return path;
  }

  public AnalyticsRecord setPath(String value) {
    this.path = value == null ? "" : value;
    return this;
  }

  /** Go field {@code RawPath}. */
  public String getRawPath() {
    return rawPath;
  }

  public AnalyticsRecord setRawPath(String value) {
    this.rawPath = value == null ? "" : value;
    return this;
  }

  /** Go field {@code ContentLength}. */
  public long getContentLength() {
    return contentLength;
  }

  public AnalyticsRecord setContentLength(long value) {
    this.contentLength = value;
    return this;
  }

  /** Go field {@code UserAgent}. */
  public String getUserAgent() {
    return userAgent;
  }

  public AnalyticsRecord setUserAgent(String value) {
    this.userAgent = value == null ? "" : value;
    return this;
  }

  /** Go field {@code Day}. */
  public int getDay() {
    return day;
  }

  public AnalyticsRecord setDay(int value) {
    this.day = value;
    return this;
  }

  /** Go field {@code Month}. */
  public int getMonth() {
    return month;
  }

  public AnalyticsRecord setMonth(int value) {
    this.month = value;
    return this;
  }

  /** Go field {@code Year}. */
  public int getYear() {
    return year;
  }

  public AnalyticsRecord setYear(int value) {
    this.year = value;
    return this;
  }

  /** Go field {@code Hour}. */
  public int getHour() {
    return hour;
  }

  public AnalyticsRecord setHour(int value) {
    this.hour = value;
    return this;
  }

  /** Go field {@code ResponseCode}. */
  public int getResponseCode() {
    return responseCode;
  }

  public AnalyticsRecord setResponseCode(int value) {
    this.responseCode = value;
    return this;
  }

  /** Go field {@code APIKey}. */
  public String getApiKey() {
    return apiKey;
  }

  public AnalyticsRecord setApiKey(String value) {
    this.apiKey = value == null ? "" : value;
    return this;
  }

  /** Go field {@code TimeStamp}. */
  public Instant getTimeStamp() {
    return timeStamp;
  }

  public AnalyticsRecord setTimeStamp(Instant value) {
    this.timeStamp = value == null ? GoTime.ZERO : value;
    return this;
  }

  /** Go field {@code APIVersion}. */
  public String getApiVersion() {
    return apiVersion;
  }

  public AnalyticsRecord setApiVersion(String value) {
    this.apiVersion = value == null ? "" : value;
    return this;
  }

  /** Go field {@code APIName}. */
  public String getApiName() {
    return apiName;
  }

  public AnalyticsRecord setApiName(String value) {
    this.apiName = value == null ? "" : value;
    return this;
  }

  /** Go field {@code APIID}. */
  public String getApiId() {
    return apiId;
  }

  public AnalyticsRecord setApiId(String value) {
    this.apiId = value == null ? "" : value;
    return this;
  }

  /** Go field {@code OrgID}. */
  public String getOrgId() {
    return orgId;
  }

  public AnalyticsRecord setOrgId(String value) {
    this.orgId = value == null ? "" : value;
    return this;
  }

  /** Go field {@code OauthID}. */
  public String getOauthId() {
    return oauthId;
  }

  public AnalyticsRecord setOauthId(String value) {
    this.oauthId = value == null ? "" : value;
    return this;
  }

  /** Go field {@code RequestTime}. */
  public long getRequestTime() {
    return requestTime;
  }

  public AnalyticsRecord setRequestTime(long value) {
    this.requestTime = value;
    return this;
  }

  /** Go field {@code RawRequest}. */
  public String getRawRequest() {
    return rawRequest;
  }

  public AnalyticsRecord setRawRequest(String value) {
    this.rawRequest = value == null ? "" : value;
    return this;
  }

  /** Go field {@code RawResponse}. */
  public String getRawResponse() {
    return rawResponse;
  }

  public AnalyticsRecord setRawResponse(String value) {
    this.rawResponse = value == null ? "" : value;
    return this;
  }

  /** Go field {@code IPAddress}. */
  public String getIpAddress() {
    return ipAddress;
  }

  public AnalyticsRecord setIpAddress(String value) {
    this.ipAddress = value == null ? "" : value;
    return this;
  }

  /** Go field {@code Geo}. */
  public GeoData getGeo() {
    return geo;
  }

  public AnalyticsRecord setGeo(GeoData value) {
    this.geo = value == null ? GeoData.EMPTY : value;
    return this;
  }

  /** Go field {@code Network}. */
  public NetworkStats getNetwork() {
    return network;
  }

  public AnalyticsRecord setNetwork(NetworkStats value) {
    this.network = value == null ? NetworkStats.EMPTY : value;
    return this;
  }

  /** Go field {@code Latency}. */
  public Latency getLatency() {
    return latency;
  }

  public AnalyticsRecord setLatency(Latency value) {
    this.latency = value == null ? Latency.EMPTY : value;
    return this;
  }

  /** Go field {@code Tags}. */
  public List<String> getTags() {
    return tags;
  }

  public AnalyticsRecord setTags(List<String> value) {
    this.tags = value;
    return this;
  }

  /** Go field {@code Alias}. */
  public String getAlias() {
    return alias;
  }

  public AnalyticsRecord setAlias(String value) {
    this.alias = value == null ? "" : value;
    return this;
  }

  /** Go field {@code TrackPath}. */
  public boolean isTrackPath() {
    return trackPath;
  }

  public AnalyticsRecord setTrackPath(boolean value) {
    this.trackPath = value;
    return this;
  }

  /** Go field {@code ExpireAt}. */
  public Instant getExpireAt() {
    return expireAt;
  }

  public AnalyticsRecord setExpireAt(Instant value) {
    this.expireAt = value == null ? GoTime.ZERO : value;
    return this;
  }

  /** Go field {@code ApiSchema}. */
  public String getApiSchema() {
    return apiSchema;
  }

  public AnalyticsRecord setApiSchema(String value) {
    this.apiSchema = value == null ? "" : value;
    return this;
  }

  /** Go field {@code OriginalPath}. */
  public String getOriginalPath() {
    return originalPath;
  }

  public AnalyticsRecord setOriginalPath(String value) {
    this.originalPath = value == null ? "" : value;
    return this;
  }

  /** Go field {@code ListenPath}. */
  public String getListenPath() {
    return listenPath;
  }

  public AnalyticsRecord setListenPath(String value) {
    this.listenPath = value == null ? "" : value;
    return this;
  }

  /** Go field {@code GraphQLStats}. */
  public GraphQLStats getGraphQLStats() {
    return graphQLStats;
  }

  public AnalyticsRecord setGraphQLStats(GraphQLStats value) {
    this.graphQLStats = value == null ? GraphQLStats.EMPTY : value;
    return this;
  }

  /** Go field {@code MCPStats}. */
  public McpStats getMcpStats() {
    return mcpStats;
  }

  public AnalyticsRecord setMcpStats(McpStats value) {
    this.mcpStats = value == null ? McpStats.EMPTY : value;
    return this;
  }

  /** Go field {@code CollectionName}. */
  public String getCollectionName() {
    return collectionName;
  }

  public AnalyticsRecord setCollectionName(String value) {
    this.collectionName = value == null ? "" : value;
    return this;
  }

  /**
   * The zone {@code TimeStamp} and {@code ExpireAt} are shown in, as Go's {@code time.Time}
   * carries one: {@link RecordJson} writes both times with this zone's offset at that instant
   * ({@code +05:45}, or {@code Z} for a zero offset). Not a wire field of msgpack records, which
   * keep the default, UTC; a protobuf record carries it (its {@code TimeZone} field). Never
   * {@code null}; not rendered as a key of its own.
   */
  public ZoneId getZone() {
    return zone;
  }

  /** See {@link #getZone()}; {@code value} must not be {@code null}. */
  public AnalyticsRecord setZone(ZoneId value) {
    this.zone = Objects.requireNonNull(value, "zone");
    return this;
  }

  @Override
  public String toString() {
    return "AnalyticsRecord{" + method + " " + path + " " + responseCode + " api=" + apiId
        + " org=" + orgId + " at " + timeStamp + "}";
  }
}
