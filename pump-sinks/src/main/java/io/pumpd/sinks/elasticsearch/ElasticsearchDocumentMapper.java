package io.pumpd.sinks.elasticsearch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.McpStats;
import io.pumpd.core.record.RecordJson;
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
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

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

  /** The document for {@code r}. */
  public ObjectNode document(AnalyticsRecord r) {
    ObjectNode d = NODES.objectNode();
    d.put("@timestamp", RecordJson.formatTime(r.getTimeStamp()));
    d.put("alias", r.getAlias());
    d.put("api_id", r.getApiId());
    d.put("api_key", r.getApiKey());
    d.put("api_name", r.getApiName());
    d.put("api_version", r.getApiVersion());
    d.put("content_length", r.getContentLength());
    d.put("http_method", r.getMethod());
    d.put("ip_address", r.getIpAddress());
    McpStats mcp = r.getMcpStats();
    if (mcp.isMcp()) {
      d.put("mcp_method", mcp.jsonRpcMethod());
      d.put("mcp_primitive_name", mcp.primitiveName());
      d.put("mcp_primitive_type", mcp.primitiveType());
    }
    d.put("oauth_id", r.getOauthId());
    d.put("org_id", r.getOrgId());
    if (extendedStats) {
      d.put("raw_request", raw(r.getRawRequest()));
      d.put("raw_response", raw(r.getRawResponse()));
    }
    d.put("request_time_ms", r.getRequestTime());
    d.put("request_uri", r.getPath());
    d.put("request_uri_full", r.getRawPath());
    d.put("response_code", r.getResponseCode());
    List<String> tags = r.getTags();
    if (tags == null) {
      d.putNull("tags");
    } else {
      ArrayNode a = d.putArray("tags");
      tags.forEach(a::add);
    }
    if (extendedStats) {
      d.put("user_agent", r.getUserAgent());
    }
    return d;
  }

  /** {@link #document} as UTF-8 JSON, the bytes sent to Elasticsearch. */
  public byte[] documentBytes(AnalyticsRecord r) {
    try {
      return json.writeValueAsBytes(document(r));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
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
