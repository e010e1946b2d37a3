package io.pumpd.bench.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.RedisServerProcess;
import io.pumpd.sinks.elasticsearch.ElasticsearchDocumentMapper;
import io.pumpd.sinks.elasticsearch.IndexTemplateInstaller;
import io.pumpd.sinks.elasticsearch.testing.EmbeddedElasticsearch;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * End-to-end Elasticsearch throughput, run on demand (not part of the test suite; the class name
 * does not match surefire's patterns):
 *
 * <pre>
 * mvn -B -ntp -pl pump-app -am package -DskipTests
 * mvn -B -ntp -pl pump-bench -am test -Dtest=ElasticsearchDrainBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     [-Dbench.records=100000 -Dbench.rounds=2 -Dbench.workers=1 -Dbench.bulkActions=1000 ...]
 * </pre>
 *
 * In one JVM it starts the embedded Elasticsearch 8 node and a {@code redis-server}; then, per
 * round, (1) the <b>bare loader</b> sends the modern fixture's documents (replicated to {@code
 * bench.records}) straight to the node with the official client's {@code BulkIngester}, and (2) the
 * same records, as the gateway's msgpack bytes, are pushed into {@code analytics-tyk-system-analytics}
 * and <b>the daemon</b> ({@code pump-app/target/pumpd-all.jar}, a separate process) drains them into
 * the node with the same bulk settings. Both write to a fresh index that has the pump's index
 * template. Documents per second are measured identically for both from {@code _stats/indexing}
 * (first poll seeing documents to first poll seeing all). Results go to {@code
 * pump-bench/target/bench-elasticsearch.md}.
 */
class ElasticsearchDrainBenchmark {
  private static final String KEY = "analytics-tyk-system-analytics";

  @Test
  void drainThroughTheDaemonVersusTheBareLoader() throws Exception {
    BenchSettings s = BenchSettings.fromSystemProperties();
    int rounds = Integer.getInteger("bench.rounds", 2);
    Path jar = Path.of(System.getProperty("pump.jar", "../pump-app/target/pumpd-all.jar")).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " not found: mvn -pl pump-app -am package -DskipTests first");
    }
    EmbeddedElasticsearch es = EmbeddedElasticsearch.shared();
    List<byte[]> raw = replicate(Fixtures.raw(Fixtures.MODERN), s.records());
    List<AnalyticsRecord> records = replicate(Fixtures.records(Fixtures.MODERN), s.records());
    StringBuilder report = new StringBuilder();
    report.append("Elasticsearch drain benchmark, ").append(Instant.now()).append('\n')
        .append(s).append(", ").append(Runtime.getRuntime().availableProcessors()).append(" cores\n\n")
        .append("| round | path | documents | seconds | documents/s |\n|---|---|---|---|---|\n");

    // warm-up: JIT of the node and of the client, outside the measurements
    String warm = EmbeddedElasticsearch.uniqueIndex("bench-warmup");
    BareBulkLoader.load(es.url(), warm, documents(warm, records.subList(0, Math.min(20_000, records.size()))), s);

    List<Double> loader = new ArrayList<>();
    List<Double> daemon = new ArrayList<>();
    try (RedisServerProcess redis = RedisServerProcess.start()) {
      for (int round = 1; round <= rounds; round++) {
        String bareIndex = EmbeddedElasticsearch.uniqueIndex("bench-bare");
        installTemplate(es, bareIndex);
        List<byte[]> docs = documents(bareIndex, records);
        CompletableFuture<BareBulkLoader.Result> load = CompletableFuture.supplyAsync(() -> {
          try {
            return BareBulkLoader.load(es.url(), bareIndex, docs, s);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
        IndexingProgress.Window w = IndexingProgress.await(es, bareIndex, records.size(), Duration.ofMinutes(10));
        assertThat(load.get().acknowledged()).isEqualTo(records.size());
        assertThat(es.count(bareIndex)).isEqualTo(records.size());
        loader.add(w.docsPerSecond());
        row(report, round, "bare loader (BulkIngester)", w);

        String daemonIndex = EmbeddedElasticsearch.uniqueIndex("bench-daemon");
        push(redis, raw);
        IndexingProgress.Window d = drainWithDaemon(jar, es, redis, daemonIndex, s, records.size());
        assertThat(es.count(daemonIndex)).isEqualTo(records.size());
        daemon.add(d.docsPerSecond());
        row(report, round, "daemon (Redis -> pumpd -> ES)", d);
      }
    }
    double bestLoader = loader.stream().mapToDouble(x -> x).max().orElseThrow();
    double bestDaemon = daemon.stream().mapToDouble(x -> x).max().orElseThrow();
    double meanLoader = loader.stream().mapToDouble(x -> x).average().orElseThrow();
    double meanDaemon = daemon.stream().mapToDouble(x -> x).average().orElseThrow();
    report.append(String.format(Locale.ROOT,
        "%nbest: daemon %.0f docs/s, bare loader %.0f docs/s, ratio %.1f %%%n"
            + "mean: daemon %.0f docs/s, bare loader %.0f docs/s, ratio %.1f %%%n",
        bestDaemon, bestLoader, 100 * bestDaemon / bestLoader, meanDaemon, meanLoader, 100 * meanDaemon / meanLoader));
    Path out = Path.of("target", "bench-elasticsearch.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report.toString());
    System.out.println(report);
  }

  private static IndexingProgress.Window drainWithDaemon(
      Path jar, EmbeddedElasticsearch es, RedisServerProcess redis, String index, BenchSettings s, int expected)
      throws Exception {
    Path dir = Files.createTempDirectory("pumpd-bench-");
    Path conf = dir.resolve("pump.conf");
    Files.writeString(conf, "{\"analytics_storage_type\":\"redis\","
        + "\"analytics_storage_config\":{\"type\":\"redis\",\"host\":\"127.0.0.1\",\"port\":" + redis.port() + "},"
        + "\"purge_delay\":1,\"health_check_endpoint_port\":" + freePort() + ","
        + "\"dead_letter_dir\":\"" + dir.resolve("dead-letter") + "\","
        + "\"pumps\":{\"elasticsearch\":{\"type\":\"elasticsearch\",\"meta\":{"
        + "\"elasticsearch_url\":\"" + es.url() + "\",\"index_name\":\"" + index + "\",\"version\":\"8\","
        + "\"bulk_config\":" + s.bulkConfigJson() + "}}}}");
    Path log = dir.resolve("daemon.log");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-jar", jar.toString(), "-c", conf.toString())
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      IndexingProgress.Window w = IndexingProgress.await(es, index, expected, Duration.ofMinutes(10));
      p.destroy(); // SIGTERM
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("daemon did not exit cleanly; log:\n" + Files.readString(log));
      }
      return w;
    } catch (RuntimeException | InterruptedException e) {
      System.out.println("daemon log:\n" + Files.readString(log, StandardCharsets.UTF_8));
      throw e;
    } finally {
      p.destroyForcibly();
    }
  }

  private static void row(StringBuilder report, int round, String path, IndexingProgress.Window w) {
    report.append(String.format(Locale.ROOT, "| %d | %s | %d | %.2f | %.0f |%n",
        round, path, w.lastCount() - w.firstCount(), w.duration().toMillis() / 1000.0, w.docsPerSecond()));
  }

  private static void installTemplate(EmbeddedElasticsearch es, String index) throws Exception {
    new IndexTemplateInstaller(index, "").install(
        new co.elastic.clients.elasticsearch.ElasticsearchAsyncClient(es.client()._transport())).get();
  }

  private static List<byte[]> documents(String index, List<AnalyticsRecord> records) {
    ElasticsearchDocumentMapper m = new ElasticsearchDocumentMapper(index, "", false, false, false, false);
    List<byte[]> out = new ArrayList<>(records.size());
    for (AnalyticsRecord r : records) {
      out.add(m.documentBytes(r));
    }
    return out;
  }

  private static void push(RedisServerProcess redis, List<byte[]> raw) {
    RedisClient client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
    try (StatefulRedisConnection<String, byte[]> c = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE))) {
      for (int i = 0; i < raw.size(); i += 1000) {
        c.sync().rpush(KEY, raw.subList(i, Math.min(raw.size(), i + 1000)).toArray(new byte[0][]));
      }
    } finally {
      client.shutdown();
    }
  }

  private static <T> List<T> replicate(List<T> base, int n) {
    List<T> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(base.get(i % base.size()));
    }
    return out;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
