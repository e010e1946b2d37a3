package io.pumpd.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pumpd.app.testing.DaemonEnv;
import io.pumpd.app.testing.DaemonProcess;
import io.pumpd.app.testing.RedisFeeder;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.RedisServerProcess;
import io.pumpd.sinks.elasticsearch.DocumentIds;
import io.pumpd.sinks.elasticsearch.testing.EmbeddedElasticsearch;
import io.pumpd.sinks.elasticsearch.testing.EmbeddedElasticsearch.StoredDocument;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged daemon as a process with an {@code elasticsearch} pump configured from the environment
 * only (Tyk's {@code TYK_PMP_PUMPS_ELASTICSEARCH_META_*} names): fixture records pushed into a real
 * redis-server as a gateway pushes them, drained into a real Elasticsearch 8 node (embedded in
 * this test JVM), and stopped with SIGTERM while every document is still buffered in the pump, in
 * both delivery modes.
 */
@DisplayName("daemon process -> Redis -> elasticsearch pump -> Elasticsearch 8 node")
class ElasticsearchDaemonIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path work;
  private RedisServerProcess redis;
  private final EmbeddedElasticsearch es = EmbeddedElasticsearch.shared();

  @BeforeEach
  void start() {
    redis = RedisServerProcess.start();
  }

  @AfterEach
  void stop() {
    redis.close();
  }

  @Test
  @DisplayName("at_most_once, SIGTERM while documents are buffered: exit 0, every document in Elasticsearch")
  void sigtermFlushesBufferedDocuments() throws Exception {
    String index = EmbeddedElasticsearch.uniqueIndex("daemon-it");
    // issue #3 promise: records the pump holds in its bulk buffer at SIGTERM are flushed (the
    // at_most_once purge loop hands them over at once)
    Map<String, String> env = bufferingEnv(index);
    env.put("TYK_PMP_DELIVERYGUARANTEE", "at_most_once");

    try (RedisFeeder feeder = new RedisFeeder(redis.host(), redis.port());
        DaemonProcess daemon = DaemonProcess.start(List.of(), env, work)) {
      daemon.awaitLog(l -> l.contains("index template pumpd-" + index + " installed"), WAIT);
      feeder.push(RedisFeeder.BASE_KEY, Fixtures.raw(Fixtures.MODERN));
      Awaitility.await().atMost(WAIT).until(() -> feeder.backlog() == 0);
      assertThat(es.indexedTotal(index)).as("buffered in the pump, nothing sent yet").isZero();

      daemon.signal("TERM");

      assertThat(daemon.awaitExit(WAIT)).as("exit status; log:\n%s", String.join("\n", daemon.logs())).isZero();
      assertFlushedAll(daemon);
    }
    assertIndexedExactlyTheFixtures(index);
  }

  @Test
  @DisplayName("at_least_once (the default), SIGTERM while every document is buffered: exit 0, all in "
      + "Elasticsearch, all acknowledged in Redis")
  void atLeastOnceSigtermFlushesAndAcknowledges() throws Exception {
    String index = EmbeddedElasticsearch.uniqueIndex("daemon-alo");
    Map<String, String> env = bufferingEnv(index);
    HttpClient http = HttpClient.newHttpClient();
    URI metrics = URI.create("http://127.0.0.1:" + env.get("TYK_PMP_HEALTHCHECKENDPOINTPORT") + "/metrics");

    try (RedisFeeder feeder = new RedisFeeder(redis.host(), redis.port());
        DaemonProcess daemon = DaemonProcess.start(List.of(), env, work)) {
      daemon.awaitLog(l -> l.contains("index template pumpd-" + index + " installed"), WAIT);
      feeder.push(RedisFeeder.BASE_KEY, Fixtures.raw(Fixtures.MODERN));
      // the consumer read every entry and handed every record to the pump, which buffers them
      Awaitility.await().atMost(WAIT).until(() -> metric(http, metrics,
          "pump_sink_bulk_pending_operations{pump=\"elasticsearch\"") == Fixtures.records(Fixtures.MODERN).size());
      assertThat(es.indexedTotal(index)).as("buffered in the pump, nothing sent yet").isZero();

      daemon.signal("TERM");

      assertThat(daemon.awaitExit(WAIT)).as("exit status; log:\n%s", String.join("\n", daemon.logs())).isZero();
      assertFlushedAll(daemon);
      assertThat(daemon.logs()).anyMatch(l -> l.contains("0 entries (0 records) taken by this daemon left in Redis for redelivery"));
    }
    assertIndexedExactlyTheFixtures(index);
  }

  /** Env-only config with Tyk's names; no bulk criterion fires before the shutdown. */
  private Map<String, String> bufferingEnv(String index) {
    Map<String, String> env = DaemonEnv.base(redis, work);
    env.put("TYK_PMP_PUMPS_ELASTICSEARCH_TYPE", "elasticsearch");
    env.put("TYK_PMP_PUMPS_ELASTICSEARCH_META_ELASTICSEARCHURL", es.url());
    env.put("TYK_PMP_PUMPS_ELASTICSEARCH_META_INDEXNAME", index);
    env.put("TYK_PMP_PUMPS_ELASTICSEARCH_META_VERSION", "8");
    env.put("TYK_PMP_PUMPS_ELASTICSEARCH_META_GENERATEID", "true");
    env.put("TYK_PMP_PUMPS_ELASTICSEARCH_META_BULKCONFIG_FLUSHINTERVAL", "3600");
    env.put("TYK_PMP_PUMPS_ELASTICSEARCH_META_BULKCONFIG_BULKACTIONS", "-1");
    env.put("TYK_PMP_PUMPS_ELASTICSEARCH_META_BULKCONFIG_BULKSIZE", "-1");
    return env;
  }

  private static void assertFlushedAll(DaemonProcess daemon) {
    int n = Fixtures.records(Fixtures.MODERN).size();
    assertThat(daemon.logs())
        .anyMatch(l -> l.contains("elasticsearch pump elasticsearch: flushed " + n + " documents ("
            + n + " acknowledged, 0 failed)"))
        .anyMatch(l -> l.contains("Shutdown complete"));
  }

  private void assertIndexedExactlyTheFixtures(String index) throws IOException {
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.MODERN);
    assertThat(es.count(index)).isEqualTo(records.size());
    Map<String, StoredDocument> stored = es.documents(index).stream()
        .collect(Collectors.toMap(StoredDocument::id, d -> d));
    assertThat(stored.keySet())
        .isEqualTo(records.stream().map(DocumentIds::idFor).collect(Collectors.toSet()));
    for (AnalyticsRecord r : records) {
      StoredDocument d = stored.get(DocumentIds.idFor(r));
      assertThat(d.source().get("request_uri").asText()).isEqualTo(r.getPath());
      assertThat(d.source().get("api_id").asText()).isEqualTo(r.getApiId());
    }
    assertThat(deadLetters()).isEmpty();
  }

  /** The value of the first Prometheus sample starting with {@code series}, or -1. */
  private static double metric(HttpClient http, URI uri, String series) {
    try {
      String body = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      return body.lines().filter(l -> l.startsWith(series))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
          .findFirst().orElse(-1);
    } catch (IOException | InterruptedException | RuntimeException e) {
      return -1;
    }
  }

  private List<Path> deadLetters() throws IOException {
    Path dir = work.resolve("dead-letter");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (var files = Files.list(dir)) {
      return files.filter(p -> {
        try {
          return Files.size(p) > 0;
        } catch (IOException e) {
          return true;
        }
      }).toList();
    }
  }
}
