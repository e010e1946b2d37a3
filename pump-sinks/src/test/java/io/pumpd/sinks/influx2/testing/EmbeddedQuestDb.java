package io.pumpd.sinks.influx2.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.questdb.ServerMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real QuestDB 9.3.4 server embedded in the test JVM: it implements the InfluxDB v2 line-protocol
 * write endpoint ({@code POST /api/v2/write}) with real parsing and storage, and answers SQL on
 * {@code /exec} so tests can read rows back ({@code reference/test-backends.md} §5.3).
 *
 * <p>It is <b>not</b> InfluxDB 2: it ignores the token, {@code org} and {@code bucket} (the table is
 * named after the measurement), answers 400 where InfluxDB answers 422, and has no orgs/buckets
 * API. Tests must not claim those behaviours from it.
 *
 * <p>Started once per JVM on a free loopback port ({@link #shared()}) and stopped by a shutdown
 * hook; tests isolate themselves with distinct measurement (table) names. Thread-safe.
 */
public final class EmbeddedQuestDb {
  private static EmbeddedQuestDb shared;

  private final ServerMain server;
  private final Path root;
  private final String baseUrl;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  private EmbeddedQuestDb(Path root) {
    this.root = root;
    Map<String, String> env = new LinkedHashMap<>();
    env.put("QDB_HTTP_BIND_TO", "127.0.0.1:0");
    env.put("QDB_HTTP_MIN_ENABLED", "false");
    env.put("QDB_PG_ENABLED", "false");
    env.put("QDB_LINE_TCP_ENABLED", "false");
    env.put("QDB_LINE_UDP_ENABLED", "false");
    env.put("QDB_TELEMETRY_ENABLED", "false");
    this.server = ServerMain.create(root.toString(), env);
    server.start();
    this.baseUrl = "http://127.0.0.1:" + server.getHttpServerPort();
  }

  /** The JVM-wide instance, started on first use (~3.5 s). */
  public static synchronized EmbeddedQuestDb shared() {
    if (shared == null) {
      try {
        Path root = Files.createTempDirectory("pumpd-questdb-");
        EmbeddedQuestDb db = new EmbeddedQuestDb(root);
        Runtime.getRuntime().addShutdownHook(new Thread(db::stop, "questdb-stop"));
        shared = db;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return shared;
  }

  /** {@code http://127.0.0.1:<port>}: the InfluxDB v2 write API and the SQL endpoint. */
  public String baseUrl() {
    return baseUrl;
  }

  /** Blocks until QuestDB has registered {@code table} (after the first write into it). */
  public void awaitTable(String table) {
    server.awaitTable(table);
  }

  /**
   * Runs {@code sql} on {@code /exec} and returns the rows as column-name maps, in result order.
   *
   * @throws IllegalStateException QuestDB answered with an error (for example an unknown table)
   */
  public List<Map<String, JsonNode>> query(String sql) {
    JsonNode body = exec(sql);
    List<String> columns = new ArrayList<>();
    body.path("columns").forEach(c -> columns.add(c.path("name").asText()));
    List<Map<String, JsonNode>> rows = new ArrayList<>();
    for (JsonNode row : body.path("dataset")) {
      Map<String, JsonNode> m = new LinkedHashMap<>();
      for (int i = 0; i < columns.size(); i++) {
        m.put(columns.get(i), row.get(i));
      }
      rows.add(m);
    }
    return rows;
  }

  /** Column name to QuestDB type ({@code LONG}, {@code SYMBOL}, {@code VARCHAR}, ...) of {@code table}. */
  public Map<String, String> columnTypes(String table) {
    Map<String, String> types = new LinkedHashMap<>();
    for (Map<String, JsonNode> row : query("table_columns('" + table + "')")) {
      types.put(row.get("column").asText(), row.get("type").asText());
    }
    return types;
  }

  /**
   * Drops {@code table} if it exists. The influx2 pump always writes measurement {@code analytics},
   * so tests sharing the server reset that table instead of using distinct names.
   */
  public void drop(String table) {
    exec("drop table if exists '" + table + "'");
  }

  /** Writes raw line protocol to the v2 endpoint (to prepare a table); returns the HTTP status. */
  public int writeLines(String lines, String precision) {
    try {
      URI uri = URI.create(baseUrl + "/api/v2/write?org=o&bucket=b&precision=" + precision);
      return http.send(
              HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(lines)).build(),
              HttpResponse.BodyHandlers.ofString())
          .statusCode();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Rows in {@code table}, or 0 when the table does not exist yet. */
  public long count(String table) {
    try {
      return query("select count() from '" + table + "'").get(0).values().iterator().next().asLong();
    } catch (IllegalStateException e) {
      if (e.getMessage().contains("does not exist")) {
        return 0;
      }
      throw e;
    }
  }

  private JsonNode exec(String sql) {
    try {
      URI uri = URI.create(baseUrl + "/exec?query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8));
      HttpResponse<String> resp =
          http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode body = json.readTree(resp.body());
      if (resp.statusCode() != 200 || body.has("error")) {
        throw new IllegalStateException("QuestDB /exec " + resp.statusCode() + " for [" + sql + "]: " + resp.body());
      }
      return body;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void stop() {
    try {
      server.close();
    } finally {
      try (Stream<Path> files = Files.walk(root)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // best effort: a temp dir
      }
    }
  }
}
