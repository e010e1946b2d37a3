package io.pumpd.sinks.elasticsearch;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.McpStats;
import io.pumpd.core.record.RecordJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
 */
public final class ElasticsearchDocumentMapper {
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("uuuu.MM.dd").withZone(ZoneOffset.UTC);

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
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
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
    g.writeStringField("@timestamp", RecordJson.formatTime(r.getTimeStamp()));
    g.writeStringField("alias", r.getAlias());
    g.writeStringField("api_id", r.getApiId());
    g.writeStringField("api_key", r.getApiKey());
    g.writeStringField("api_name", r.getApiName());
    g.writeStringField("api_version", r.getApiVersion());
    g.writeNumberField("content_length", r.getContentLength());
    g.writeStringField("http_method", r.getMethod());
    g.writeStringField("ip_address", r.getIpAddress());
    McpStats mcp = r.getMcpStats();
    if (mcp.isMcp()) {
      g.writeStringField("mcp_method", mcp.jsonRpcMethod());
      g.writeStringField("mcp_primitive_name", mcp.primitiveName());
      g.writeStringField("mcp_primitive_type", mcp.primitiveType());
    }
    g.writeStringField("oauth_id", r.getOauthId());
    g.writeStringField("org_id", r.getOrgId());
    if (extendedStats) {
      g.writeStringField("raw_request", raw(r.getRawRequest()));
      g.writeStringField("raw_response", raw(r.getRawResponse()));
    }
    g.writeNumberField("request_time_ms", r.getRequestTime());
    g.writeStringField("request_uri", r.getPath());
    g.writeStringField("request_uri_full", r.getRawPath());
    g.writeNumberField("response_code", r.getResponseCode());
    List<String> tags = r.getTags();
    if (tags == null) {
      g.writeNullField("tags");
    } else {
      g.writeArrayFieldStart("tags");
      for (String t : tags) {
        g.writeString(t);
      }
      g.writeEndArray();
    }
    if (extendedStats) {
      g.writeStringField("user_agent", r.getUserAgent());
    }
    g.writeEndObject();
  }

  /** The index {@code r} goes to. */
  public String index(AnalyticsRecord r) {
    String base = r.getMcpStats().isMcp() && !mcpIndexName.isEmpty() ? mcpIndexName : indexName;
    return rollingIndex ? base + "-" + DAY.format(r.getTimeStamp()) : base;
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
