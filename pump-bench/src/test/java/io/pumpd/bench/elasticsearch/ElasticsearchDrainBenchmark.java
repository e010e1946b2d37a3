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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * End-to-end Elasticsearch throughput, run on demand (not part of the test suite: the class name
 * does not match surefire's patterns):
 *
 * <pre>
 * mvn -B -ntp -pl pump-app -am package -DskipTests
 * mvn -B -ntp -pl pump-bench -am test -Dtest=ElasticsearchDrainBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dbench.records=200000 -Dbench.rounds=3 -Dbench.warmup=100000 [-Dbench.workers=1 -Dbench.bulkActions=1000 ...]
 * </pre>
 *
 * In one JVM it starts the embedded Elasticsearch 8 node and a {@code redis-server}; then, per
 * round: (1) the <b>bare loader</b> sends {@code bench.records} of the modern fixture's documents
 * straight to the node with the official client's {@code BulkIngester}; (2) <b>the daemon</b>
 * ({@code pump-app/target/pumpd-all.jar}, one process for the run, {@code -Xmx512m} as {@code
 * bin/pump}) drains the same records, as the gateway's msgpack bytes, from {@code
 * analytics-tyk-system-analytics} (staged in another list, renamed into the key at once). Before
 * the rounds, each path is warmed up with {@code bench.warmup} documents. Same bulk settings; each
 * path writes its own index (with the pump's index template), growing alike round by round. Documents per second are measured
 * identically for both from {@code _stats/indexing} (first poll seeing measured documents to first
 * poll seeing all). Prints the daemon's CPU by thread; writes the table to {@code
 * pump-bench/target/bench-elasticsearch.md}.
 */
class ElasticsearchDrainBenchmark {
  private static final String KEY = "analytics-tyk-system-analytics";
  /** Where the measured records wait until they are renamed into the key the daemon drains. */
  private static final String STAGING = "bench-staging";

  @Test
  void drainThroughTheDaemonVersusTheBareLoader() throws Exception {
    BenchSettings s = BenchSettings.fromSystemProperties();
    int rounds = Integer.getInteger("bench.rounds", 2);
    Path jar = Path.of(System.getProperty("pump.jar", "../pump-app/target/pumpd-all.jar")).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " not found: mvn -pl pump-app -am package -DskipTests first");
    }
    int warmup = Integer.getInteger("bench.warmup", 20_000);
    EmbeddedElasticsearch es = EmbeddedElasticsearch.shared();
    List<byte[]> rawWarmup = replicate(Fixtures.raw(Fixtures.MODERN), warmup);
    List<byte[]> raw = replicate(Fixtures.raw(Fixtures.MODERN), s.records());
    List<AnalyticsRecord> warmRecords = replicate(Fixtures.records(Fixtures.MODERN), warmup);
    List<AnalyticsRecord> records = replicate(Fixtures.records(Fixtures.MODERN), s.records());
    int n = records.size();
    StringBuilder report = new StringBuilder();
    report.append("Elasticsearch drain benchmark, ").append(Instant.now()).append('\n')
        .append(s).append(", warm-up ").append(warmup).append(" documents per path, one daemon process for all rounds, ")
        .append(Runtime.getRuntime().availableProcessors()).append(" cores\n\n")
        .append("| round | path | documents | seconds | documents/s | daemon CPU s |\n|---|---|---|---|---|---|\n");

    List<Double> loader = new ArrayList<>();
    List<Double> daemon = new ArrayList<>();
    // One daemon process and two indices for the whole run: both paths warm up once, then every
    // round adds the same number of documents to each index, so they grow alike.
    String bareIndex = EmbeddedElasticsearch.uniqueIndex("bench-bare");
    installTemplate(es, bareIndex);
    List<byte[]> docs = documents(bareIndex, records);
    String daemonIndex = EmbeddedElasticsearch.uniqueIndex("bench-daemon");
    try (RedisServerProcess redis = RedisServerProcess.start();
        BenchDaemon d = BenchDaemon.start(jar, redis.port(), es.url(), daemonIndex, s);
        RedisClientHolder r = new RedisClientHolder(redis)) {
      BareBulkLoader.load(es.url(), bareIndex, documents(bareIndex, warmRecords), s);
      r.push(KEY, rawWarmup);
      IndexingProgress.await(es, daemonIndex, -1, warmup, Duration.ofMinutes(5));
      for (int round = 1; round <= rounds; round++) {
        long base = warmup + (long) (round - 1) * n;

        CompletableFuture<BareBulkLoader.Result> load = CompletableFuture.supplyAsync(() -> {
          try {
            return BareBulkLoader.load(es.url(), bareIndex, docs, s);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
        IndexingProgress.Window w = IndexingProgress.await(es, bareIndex, base, base + n, Duration.ofMinutes(10));
        assertThat(load.get().acknowledged()).isEqualTo(n);
        loader.add(w.docsPerSecond());
        row(report, round, "bare loader (BulkIngester)", w, "");

        r.push(STAGING, raw);
        Duration cpuBefore = d.cpu();
        Map<String, Long> ticksBefore = d.threadTicks();
        r.rename(STAGING, KEY); // the measured records appear in the list at once
        IndexingProgress.Window dw = IndexingProgress.await(es, daemonIndex, base, base + n, Duration.ofMinutes(10));
        Duration cpu = d.cpu().minus(cpuBefore);
        Map<String, Long> ticks = d.threadTicks();
        ticks.replaceAll((k, v) -> v - ticksBefore.getOrDefault(k, 0L));
        ticks.values().removeIf(v -> v == 0);
        System.out.println("daemon CPU ticks (10 ms) by thread during round " + round + ": " + ticks);
        daemon.add(dw.docsPerSecond());
        row(report, round, "daemon (Redis -> pumpd -> ES)", dw, String.format(Locale.ROOT, "%.2f", cpu.toMillis() / 1000.0));
        report.append(String.format(Locale.ROOT, "| %d | ratio daemon / loader | | | %.1f %% | |%n",
            round, 100 * dw.docsPerSecond() / w.docsPerSecond()));
      }
      int exit = d.stop();
      if (exit != 0) {
        throw new IllegalStateException("daemon exit status " + exit + "; log:\n" + d.log());
      }
      long total = warmup + (long) rounds * n;
      assertThat(es.count(bareIndex)).isEqualTo(total);
      assertThat(es.count(daemonIndex)).isEqualTo(total);
    }
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < loader.size(); i++) {
      ratios.add(daemon.get(i) / loader.get(i));
    }
    ratios.sort(null);
    double medianRatio = ratios.size() % 2 == 1 ? ratios.get(ratios.size() / 2)
        : (ratios.get(ratios.size() / 2 - 1) + ratios.get(ratios.size() / 2)) / 2;
    double bestLoader = loader.stream().mapToDouble(x -> x).max().orElseThrow();
    double bestDaemon = daemon.stream().mapToDouble(x -> x).max().orElseThrow();
    double meanLoader = loader.stream().mapToDouble(x -> x).average().orElseThrow();
    double meanDaemon = daemon.stream().mapToDouble(x -> x).average().orElseThrow();
    report.append(String.format(Locale.ROOT,
        "%nbest: daemon %.0f docs/s, bare loader %.0f docs/s, ratio %.1f %%%n"
            + "mean: daemon %.0f docs/s, bare loader %.0f docs/s, ratio %.1f %%%n"
            + "median of the per-round ratios: %.1f %%%n",
        bestDaemon, bestLoader, 100 * bestDaemon / bestLoader, meanDaemon, meanLoader, 100 * meanDaemon / meanLoader,
        100 * medianRatio));
    Path out = Path.of("target", "bench-elasticsearch.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report.toString());
    System.out.println(report);
  }

  private static void row(StringBuilder report, int round, String path, IndexingProgress.Window w, String cpu) {
    report.append(String.format(Locale.ROOT, "| %d | %s | %d | %.2f | %.0f | %s |%n",
        round, path, w.lastCount() - w.firstCount(), w.duration().toMillis() / 1000.0, w.docsPerSecond(), cpu));
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

  private static <T> List<T> replicate(List<T> base, int n) {
    List<T> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(base.get(i % base.size()));
    }
    return out;
  }

  /** A Redis connection for pushing raw elements and renaming lists. */
  private static final class RedisClientHolder implements AutoCloseable {
    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> connection;

    RedisClientHolder(RedisServerProcess redis) {
      client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
      connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
    }

    void push(String key, List<byte[]> raw) {
      for (int i = 0; i < raw.size(); i += 1000) {
        connection.sync().rpush(key, raw.subList(i, Math.min(raw.size(), i + 1000)).toArray(new byte[0][]));
      }
    }

    void rename(String from, String to) {
      connection.sync().rename(from, to);
    }

    @Override
    public void close() {
      connection.close();
      client.shutdown();
    }
  }
}
