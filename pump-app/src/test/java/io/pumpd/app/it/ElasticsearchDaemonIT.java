package io.pumpd.app.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.pumpd.app.testing.DaemonProcess;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.RedisServerProcess;
import io.pumpd.sinks.elasticsearch.testing.EmbeddedElasticsearch;
import io.pumpd.sinks.elasticsearch.testing.EmbeddedElasticsearch.StoredDocument;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged daemon with an {@code elasticsearch} pump, as an operator runs it: records pushed
 * into Redis as a gateway pushes them, drained into a real Elasticsearch 8 node (embedded in this
 * test JVM), and stopped with SIGTERM while the documents are still buffered in the pump.
 */
class ElasticsearchDaemonIT {
  private static final String KEY = "analytics-tyk-system-analytics";

  @Test
  void sigtermWhileDocumentsAreBufferedFlushesEveryDocumentAndExitsZero(@TempDir Path dir) throws Exception {
    EmbeddedElasticsearch es = EmbeddedElasticsearch.shared();
    String index = EmbeddedElasticsearch.uniqueIndex("daemon-it");
    List<byte[]> raw = Fixtures.raw(Fixtures.MODERN);
    try (RedisServerProcess redis = RedisServerProcess.start()) {
      Path conf = dir.resolve("pump.conf");
      // no bulk criterion fires before shutdown: every document is still buffered at SIGTERM
      Files.writeString(conf, """
          {"analytics_storage_type": "redis",
           "analytics_storage_config": {"type": "redis", "host": "127.0.0.1", "port": %d},
           "purge_delay": 1,
           "health_check_endpoint_port": %d,
           "graceful_shutdown_timeout_duration": 60,
           "pumps": {"elasticsearch": {"type": "elasticsearch", "meta": {
             "elasticsearch_url": "%s", "index_name": "%s", "version": "8", "generate_id": true,
             "bulk_config": {"flush_interval": 3600, "bulk_actions": -1, "bulk_size": -1}}}}}
          """.formatted(redis.port(), freePort(), es.url(), index));
      push(redis, raw);

      try (DaemonProcess daemon = DaemonProcess.start(List.of("-c", conf.toString()), Map.of(), dir)) {
        await().atMost(Duration.ofSeconds(60)).until(() -> backlog(redis) == 0);
        daemon.awaitLog(l -> l.contains("index template") && l.contains("installed"), Duration.ofSeconds(30));
        assertThat(es.indexedTotal(index)).as("buffered in the pump, not sent yet").isZero();

        daemon.sigterm();

        assertThat(daemon.awaitExit(Duration.ofSeconds(90))).isZero();
        assertThat(daemon.logs()).anyMatch(l -> l.contains("flushed " + raw.size() + " documents"));
      }
    }
    assertThat(es.count(index)).isEqualTo(raw.size());
    assertThat(es.documents(index).stream().map(StoredDocument::id).collect(Collectors.toSet())).hasSize(raw.size());
  }

  private static void push(RedisServerProcess redis, List<byte[]> raw) {
    RedisClient client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
    try (StatefulRedisConnection<String, byte[]> c = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE))) {
      for (int i = 0; i < raw.size(); i += 500) {
        c.sync().rpush(KEY, raw.subList(i, Math.min(raw.size(), i + 500)).toArray(new byte[0][]));
      }
    } finally {
      client.shutdown();
    }
  }

  private static long backlog(RedisServerProcess redis) {
    RedisClient client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      return c.sync().llen(KEY);
    } finally {
      client.shutdown();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
