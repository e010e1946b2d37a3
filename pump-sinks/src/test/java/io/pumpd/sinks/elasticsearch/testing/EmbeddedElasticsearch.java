package io.pumpd.sinks.elasticsearch.testing;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.HealthStatus;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.http.HttpServerTransport;
import org.elasticsearch.node.EmbeddedNode;
import org.elasticsearch.node.Node;
import org.elasticsearch.transport.netty4.Netty4Plugin;

/**
 * A real Elasticsearch 8.19.21 node running inside the test JVM, with its HTTP layer on a free
 * loopback port (test-backends.md §4). Started once per JVM by {@link #shared()} and closed by a
 * shutdown hook; tests isolate themselves with {@link #uniqueIndex(String)} names.
 *
 * <p>What the node cannot do: {@code GET /} answers 405 (no {@code rest-root} module), there is no
 * security layer (no TLS, credentials ignored), no ingest pipelines, scripts or x-pack features.
 *
 * <p>Thread-safe. {@link #client()} is a shared Java API client for assertions.
 */
public final class EmbeddedElasticsearch {
  private static final AtomicInteger INDEX_COUNTER = new AtomicInteger();
  private static EmbeddedElasticsearch shared;

  private final Path home;
  private final Node node;
  private final int port;
  private final RestClient restClient;
  private final ElasticsearchClient client;
  private final ObjectMapper json = new ObjectMapper();

  private EmbeddedElasticsearch() throws Exception {
    home = Files.createTempDirectory("pumpd-es-");
    Settings settings =
        Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.name", "pumpd-test")
            .put("node.name", "pumpd-test-node")
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", "0")
            .put("transport.port", "0")
            // a nearly full /tmp must not turn test indices read-only
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            // the heap is shared with the tests: don't trip on their garbage
            .put("indices.breaker.total.use_real_memory", false)
            .build();
    Files.createDirectories(home.resolve("config"));
    node = new EmbeddedNode(new Environment(settings, home.resolve("config")), List.of(Netty4Plugin.class));
    node.start();
    port =
        node.injector()
            .getInstance(HttpServerTransport.class)
            .boundAddress()
            .publishAddress()
            .getPort();
    restClient = RestClient.builder(new HttpHost("127.0.0.1", port, "http")).build();
    client = new ElasticsearchClient(new RestClientTransport(restClient, new JacksonJsonpMapper(json)));
    client.cluster().health(h -> h.waitForStatus(HealthStatus.Yellow).timeout(t -> t.time("60s")));
  }

  /** The node of this JVM, started on first use. */
  public static synchronized EmbeddedElasticsearch shared() {
    if (shared == null) {
      // Netty may already be in use (Lettuce): don't let the node set its processor count globally
      System.setProperty("es.set.netty.runtime.available.processors", "false");
      LogConfigurator.configureESLogging();
      try {
        shared = new EmbeddedElasticsearch();
      } catch (Exception e) {
        throw new IllegalStateException("embedded Elasticsearch did not start: " + e, e);
      }
      EmbeddedElasticsearch started = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "embedded-es-stop"));
    }
    return shared;
  }

  /** The HTTP port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** A Java API client for assertions; do not close it. */
  public ElasticsearchClient client() {
    return client;
  }

  /** A lower-case index name unique in this JVM, starting with {@code prefix}. */
  public static String uniqueIndex(String prefix) {
    return (prefix + "-" + ProcessHandle.current().pid() + "-" + INDEX_COUNTER.incrementAndGet())
        .toLowerCase(Locale.ROOT);
  }

  /** Makes recent writes to indices matching {@code pattern} searchable. */
  public void refresh(String pattern) {
    try {
      client.indices().refresh(r -> r.index(pattern).ignoreUnavailable(true).allowNoIndices(true));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The number of documents in indices matching {@code pattern}, after a refresh (0 if none). */
  public long count(String pattern) {
    refresh(pattern);
    try {
      return client.count(c -> c.index(pattern).ignoreUnavailable(true).allowNoIndices(true)).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A stored document with its metadata. */
  public record StoredDocument(String index, String id, ObjectNode source) {}

  /** Every document in indices matching {@code pattern} (up to 10 000), after a refresh. */
  public List<StoredDocument> documents(String pattern) {
    refresh(pattern);
    try {
      SearchResponse<ObjectNode> r =
          client.search(
              s -> s.index(pattern).ignoreUnavailable(true).allowNoIndices(true).size(10_000),
              ObjectNode.class);
      List<StoredDocument> out = new ArrayList<>();
      for (Hit<ObjectNode> h : r.hits().hits()) {
        out.add(new StoredDocument(h.index(), h.id(), h.source()));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The names of the indices matching {@code pattern}. */
  public List<String> indices(String pattern) {
    try {
      return new ArrayList<>(
          client.indices().get(g -> g.index(pattern).ignoreUnavailable(true).allowNoIndices(true))
              .result()
              .keySet());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The mapping of index {@code index} as JSON ({@code {"properties": ...}}). */
  public ObjectNode mapping(String index) {
    try (var resp =
        restClient.performRequest(new org.elasticsearch.client.Request("GET", "/" + index + "/_mapping"))
            .getEntity()
            .getContent()) {
      return (ObjectNode) json.readTree(resp).path(index).path("mappings");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Index operations performed on the primaries of indices matching {@code pattern}
   * ({@code _stats/indexing} {@code index_total}): counts documents as they are indexed, without a
   * refresh, so it can be polled cheaply while data arrives.
   */
  public long indexedTotal(String pattern) {
    org.elasticsearch.client.Request req =
        new org.elasticsearch.client.Request("GET", "/" + pattern + "/_stats/indexing");
    req.addParameter("ignore_unavailable", "true");
    req.addParameter("allow_no_indices", "true");
    try (var in = restClient.performRequest(req).getEntity().getContent()) {
      return json.readTree(in).path("_all").path("primaries").path("indexing").path("index_total").asLong();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void stop() {
    try {
      restClient.close();
      node.close();
      node.awaitClose(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      // shutting down the JVM anyway
    }
    try (Stream<Path> files = Files.walk(home)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // leave the temp dir
    }
  }
}
