package io.pumpd.sinks.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pumpd.core.record.RecordJson;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The composable index template ({@code PUT _index_template/pumpd-<index_name>}) that maps the
 * pump's documents before the first one is written, instead of leaving it to dynamic mapping:
 * keywords for ids, names, methods, paths and tags; {@code date} for {@code @timestamp}; numbers for
 * codes, times and lengths; {@code text} for raw requests and responses. Patterns: {@code
 * <index_name>} and {@code <index_name>-*} (rolling indices), and the same for {@code
 * mcp_index_name}. Priority 100; fields the template does not list still map dynamically.
 *
 * <p>Uses core mapping features only (works on every 7.8+ and 8.x cluster). Immutable,
 * thread-safe.
 */
public final class IndexTemplateInstaller {
  /** The template's priority among composable templates. */
  public static final int PRIORITY = 100;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String name;
  private final ObjectNode body;

  public IndexTemplateInstaller(String indexName, String mcpIndexName) {
    this.name = "pumpd-" + indexName;
    Set<String> patterns = new LinkedHashSet<>();
    patterns.add(indexName);
    patterns.add(indexName + "-*");
    if (mcpIndexName != null && !mcpIndexName.isEmpty()) {
      patterns.add(mcpIndexName);
      patterns.add(mcpIndexName + "-*");
    }
    this.body = body(patterns);
  }

  /** The template's name. */
  public String name() {
    return name;
  }

  /** The request body ({@code index_patterns}, {@code priority}, {@code template.mappings}). */
  public ObjectNode body() {
    return body.deepCopy();
  }

  /**
   * Puts the template (idempotent: it replaces an earlier version of itself).
   *
   * @return completes normally when installed; exceptionally with the client's exception: an
   *     {@code IOException}/{@code TransportException} when Elasticsearch could not be reached, an
   *     {@code ElasticsearchException} when it refused the template
   */
  public CompletableFuture<Void> install(ElasticsearchAsyncClient client) {
    String text;
    try {
      text = RecordJson.mapper().writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    return client
        .indices()
        .putIndexTemplate(b -> b.name(name).withJson(new StringReader(text)))
        .thenApply(r -> null);
  }

  private static ObjectNode body(Set<String> patterns) {
    ObjectNode b = NODES.objectNode();
    ArrayNode p = b.putArray("index_patterns");
    patterns.forEach(p::add);
    b.put("priority", PRIORITY);
    b.putObject("_meta").put("managed_by", "pumpd");
    ObjectNode props = b.putObject("template").putObject("mappings").putObject("properties");
    props.putObject("@timestamp").put("type", "date");
    for (String k :
        new String[] {
          "alias", "api_id", "api_key", "api_name", "api_version", "http_method", "ip_address",
          "mcp_method", "mcp_primitive_name", "mcp_primitive_type", "oauth_id", "org_id", "tags"
        }) {
      props.putObject(k).put("type", "keyword").put("ignore_above", 1024);
    }
    for (String k : new String[] {"request_uri", "request_uri_full", "user_agent"}) {
      props.putObject(k).put("type", "keyword").put("ignore_above", 4096);
    }
    props.putObject("response_code").put("type", "integer");
    props.putObject("request_time_ms").put("type", "long");
    props.putObject("content_length").put("type", "long");
    props.putObject("raw_request").put("type", "text");
    props.putObject("raw_response").put("type", "text");
    return b;
  }
}
