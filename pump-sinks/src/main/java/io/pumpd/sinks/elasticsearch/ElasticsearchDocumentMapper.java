package io.pumpd.sinks.elasticsearch;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.GoTime;
import io.pumpd.core.record.McpStats;
import io.pumpd.core.record.RecordJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;

/**
 * Turns a record into the document, index name and id that Tyk Pump's Elasticsearch pump would
 * produce ({@code reference/tyk-pump.md} §5.1, {@code getMapping}). Pure: no I/O, immutable,
 * thread-safe.
 *
 * <p>Document fields, in Go's {@code encoding/json} map order (sorted keys): {@code @timestamp}
 * ({@code TimeStamp}, RFC 3339 with nanoseconds, trailing zeros trimmed, always UTC: Tyk prints the
 * pump host's offset), {@code alias}, {@code api_id}, {@code api_key}, {@code api_name}, {@code
 * api_version}, {@code content_length}, {@code http_method} ({@code Method}), {@code ip_address},
 * {@code oauth_id}, {@code org_id}, {@code request_time_ms} ({@code RequestTime}), {@code
 * request_uri} ({@code Path}), {@code request_uri_full} ({@code RawPath}), {@code response_code},
 * {@code tags} ({@code null} when the gateway wrote nil). With {@code extended_stats}: {@code
 * raw_request}, {@code raw_response} (base64-decoded to text with {@code decode_base64}; a value
 * that is not base64 is kept as it is) and {@code user_agent}. For MCP records: {@code mcp_method},
 * {@code mcp_primitive_type}, {@code mcp_primitive_name}.
 *
 * <p>Index: {@code index_name}, or {@code mcp_index_name} for MCP records when set; with {@code
 * rolling_index} a {@code -yyyy.MM.dd} suffix from the record's own timestamp in UTC (Tyk uses the
 * pump's wall clock, which files late records under the wrong day).
 *
 * <p>Total: every decodable record maps, whatever its values. A time whose year is outside [0,
 * 9999] is written with ISO 8601's expanded year ({@link RecordJson#formatTime}); whether
 * Elasticsearch takes such a date is its call (a rejection is reported for that document alone).
 */
public final class ElasticsearchDocumentMapper {
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("uuuu.MM.dd").withZone(ZoneOffset.UTC);

  /** Per-thread output buffer: documents are built one at a time per thread, then copied out. */
  private static final ThreadLocal<ByteArrayOutputStream> BUFFER =
      ThreadLocal.withInitial(() -> new ByteArrayOutputStream(2048));

  private static final SerializedString F_TIMESTAMP = new SerializedString("@timestamp");
  private static final SerializedString F_ALIAS = new SerializedString("alias");
  private static final SerializedString F_API_ID = new SerializedString("api_id");
  private static final SerializedString F_API_KEY = new SerializedString("api_key");
  private static final SerializedString F_API_NAME = new SerializedString("api_name");
  private static final SerializedString F_API_VERSION = new SerializedString("api_version");
  private static final SerializedString F_CONTENT_LENGTH = new SerializedString("content_length");
  private static final SerializedString F_HTTP_METHOD = new SerializedString("http_method");
  private static final SerializedString F_IP_ADDRESS = new SerializedString("ip_address");
  private static final SerializedString F_MCP_METHOD = new SerializedString("mcp_method");
  private static final SerializedString F_MCP_PRIMITIVE_NAME = new SerializedString("mcp_primitive_name");
  private static final SerializedString F_MCP_PRIMITIVE_TYPE = new SerializedString("mcp_primitive_type");
  private static final SerializedString F_OAUTH_ID = new SerializedString("oauth_id");
  private static final SerializedString F_ORG_ID = new SerializedString("org_id");
  private static final SerializedString F_RAW_REQUEST = new SerializedString("raw_request");
  private static final SerializedString F_RAW_RESPONSE = new SerializedString("raw_response");
  private static final SerializedString F_REQUEST_TIME_MS = new SerializedString("request_time_ms");
  private static final SerializedString F_REQUEST_URI = new SerializedString("request_uri");
  private static final SerializedString F_REQUEST_URI_FULL = new SerializedString("request_uri_full");
  private static final SerializedString F_RESPONSE_CODE = new SerializedString("response_code");
  private static final SerializedString F_TAGS = new SerializedString("tags");
  private static final SerializedString F_USER_AGENT = new SerializedString("user_agent");

  private final String indexName;
  private final String mcpIndexName;
  private final boolean rollingIndex;
  private final boolean extendedStats;
  private final boolean decodeBase64;
  private final boolean generateId;
  private final ObjectMapper json;

  /**
   * @param indexName base index for every record
   * @param mcpIndexName base index for MCP records, or empty to use {@code indexName}
   */
  public ElasticsearchDocumentMapper(
      String indexName,
      String mcpIndexName,
      boolean rollingIndex,
      boolean extendedStats,
      boolean decodeBase64,
      boolean generateId) {
    this.indexName = indexName;
    this.mcpIndexName = mcpIndexName == null ? "" : mcpIndexName;
    this.rollingIndex = rollingIndex;
    this.extendedStats = extendedStats;
    this.decodeBase64 = decodeBase64;
    this.generateId = generateId;
    this.json = RecordJson.mapper();
  }

  /** The mapper for these settings. */
  public static ElasticsearchDocumentMapper of(ElasticsearchSettings s) {
    return new ElasticsearchDocumentMapper(
        s.indexName(), s.mcpIndexName(), s.rollingIndex(), s.extendedStats(), s.decodeBase64(), s.generateId());
  }

  /** The document for {@code r}, as a tree (what {@link #documentBytes} writes). */
  public ObjectNode document(AnalyticsRecord r) {
    try {
      return (ObjectNode) json.readTree(documentBytes(r));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The document for {@code r} as UTF-8 JSON: the bytes sent to Elasticsearch. */
  public byte[] documentBytes(AnalyticsRecord r) {
    ByteArrayOutputStream out = BUFFER.get();
    out.reset();
    try (JsonGenerator g = json.getFactory().createGenerator(out)) {
      write(g, r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Streams the document, keys in Go's sorted map order. */
  private void write(JsonGenerator g, AnalyticsRecord r) throws IOException {
    g.writeStartObject();
    string(g, F_TIMESTAMP, RecordJson.formatTime(r.getTimeStamp()));
    string(g, F_ALIAS, r.getAlias());
    string(g, F_API_ID, r.getApiId());
    string(g, F_API_KEY, r.getApiKey());
    string(g, F_API_NAME, r.getApiName());
    string(g, F_API_VERSION, r.getApiVersion());
    g.writeFieldName(F_CONTENT_LENGTH);
    g.writeNumber(r.getContentLength());
    string(g, F_HTTP_METHOD, r.getMethod());
    string(g, F_IP_ADDRESS, r.getIpAddress());
    McpStats mcp = r.getMcpStats();
    if (mcp.isMcp()) {
      string(g, F_MCP_METHOD, mcp.jsonRpcMethod());
      string(g, F_MCP_PRIMITIVE_NAME, mcp.primitiveName());
      string(g, F_MCP_PRIMITIVE_TYPE, mcp.primitiveType());
    }
    string(g, F_OAUTH_ID, r.getOauthId());
    string(g, F_ORG_ID, r.getOrgId());
    if (extendedStats) {
      string(g, F_RAW_REQUEST, raw(r.getRawRequest()));
      string(g, F_RAW_RESPONSE, raw(r.getRawResponse()));
    }
    g.writeFieldName(F_REQUEST_TIME_MS);
    g.writeNumber(r.getRequestTime());
    string(g, F_REQUEST_URI, r.getPath());
    string(g, F_REQUEST_URI_FULL, r.getRawPath());
    g.writeFieldName(F_RESPONSE_CODE);
    g.writeNumber(r.getResponseCode());
    g.writeFieldName(F_TAGS);
    List<String> tags = r.getTags();
    if (tags == null) {
      g.writeNull();
    } else {
      g.writeStartArray();
      for (String t : tags) {
        g.writeString(t);
      }
      g.writeEndArray();
    }
    if (extendedStats) {
      string(g, F_USER_AGENT, r.getUserAgent());
    }
    g.writeEndObject();
  }

  private static void string(JsonGenerator g, SerializedString name, String value) throws IOException {
    g.writeFieldName(name);
    g.writeString(value);
  }

  /** The index {@code r} goes to. */
  public String index(AnalyticsRecord r) {
    String base = r.getMcpStats().isMcp() && !mcpIndexName.isEmpty() ? mcpIndexName : indexName;
    return rollingIndex ? base + "-" + day(r.getTimeStamp()) : base;
  }

  /**
   * {@code yyyy.MM.dd} of {@code t} in UTC. Total: a year outside [0, 9999] is written as in
   * {@code @timestamp} ({@link RecordJson#formatTime}: {@code +10000.01.01}, {@code -0001.12.31}).
   */
  static String day(Instant t) {
    if (GoTime.hasFourDigitYear(t)) {
      return DAY.format(t);
    }
    String iso = RecordJson.formatTime(t); // [+|-]y..y-MM-ddTHH:mm:ss...
    int dayEnd = iso.indexOf('T');
    return iso.substring(0, dayEnd - 6) + '.' + iso.substring(dayEnd - 5, dayEnd - 3) + '.'
        + iso.substring(dayEnd - 2, dayEnd);
  }

  /** The {@code _id} of {@code r} with {@code generate_id}, else {@code null} (ES assigns one). */
  public String id(AnalyticsRecord r) {
    return generateId ? DocumentIds.idFor(r) : null;
  }

  private String raw(String value) {
    if (!decodeBase64 || value.isEmpty()) {
      return value;
    }
    try {
      return new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException notBase64) {
      return value;
    }
  }
}
