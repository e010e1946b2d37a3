package io.pumpd.app.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import io.pumpd.core.codec.MsgpackRecordDecoder;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.RedisServerProcess;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link RedisRecordSource} against a real {@code redis-server}, shared by the class. */
class RedisRecordSourceTest {
  private static final String BASE = "analytics-tyk-system-analytics";

  private static RedisServerProcess server;
  private static TestRedis redis;
  private final List<RedisRecordSource> sources = new ArrayList<>();

  @BeforeAll
  static void startRedis() {
    LogCapture.quiet();
    server = RedisServerProcess.start();
    redis = TestRedis.standalone(server.port());
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
    server.close();
  }

  @BeforeEach
  void flush() {
    redis.sync().flushall();
  }

  @AfterEach
  void closeSources() {
    sources.forEach(RedisRecordSource::close);
  }

  private RedisRecordSource source(SourceOptions options) {
    return source(StorageConfigs.local(server.port()), options);
  }

  private RedisRecordSource source(io.pumpd.core.config.StorageConfig config, SourceOptions options) {
    RedisRecordSource s = RedisRecordSource.create(config, options);
    sources.add(s);
    return s;
  }

  @Test
  void drainsOneHundredThousandRecordsInChunksEachExactlyOnceInOrder() throws Exception {
    List<byte[]> pushed = TestRedis.elements("r", 100_000);
    redis.push(BASE, pushed);
    RedisRecordSource source = source(SourceOptions.DEFAULTS);

    List<String> received = new ArrayList<>();
    int polls = 0;
    List<PoppedList> batches;
    while (!(batches = source.pollAnalytics(5000)).isEmpty()) {
      polls++;
      assertThat(batches).hasSize(1);
      PoppedList batch = batches.get(0);
      assertThat(batch.key()).isEqualTo(BASE);
      assertThat(batch.elements()).hasSizeLessThanOrEqualTo(5000).isNotEmpty();
      batch.elements().forEach(e -> received.add(TestRedis.text(e)));
    }

    assertThat(polls).isEqualTo(20);
    assertThat(received).containsExactlyElementsOf(
        pushed.stream().map(TestRedis::text).toList());
    assertThat(redis.sync().exists(BASE)).isZero();
    assertThat(source.isAvailable()).isTrue();
  }

  @Test
  void pollsAllElevenKeysInTykOrderAndLeavesOtherKeysAlone() throws Exception {
    List<String> keys = new ArrayList<>();
    keys.add(BASE);
    for (int i = 0; i < 10; i++) {
      keys.add(BASE + "_" + i);
    }
    // pushed in reverse so the result order comes from the source, not from insertion
    for (int k = keys.size() - 1; k >= 0; k--) {
      redis.push(keys.get(k), TestRedis.elements(keys.get(k), 3));
    }
    List<String> decoys = List.of(BASE + "_protobuf", BASE + "_10", "tyk-system-analytics",
        "other-tyk-system-analytics", "analytics-tyk-uptime-analytics");
    for (String d : decoys) {
      redis.push(d, TestRedis.elements(d, 2));
    }
    RedisRecordSource source = source(SourceOptions.DEFAULTS);

    List<PoppedList> batches = source.pollAnalytics(1000);

    assertThat(batches).extracting(PoppedList::key).containsExactlyElementsOf(keys);
    for (PoppedList b : batches) {
      assertThat(b.elements()).extracting(TestRedis::text)
          .containsExactly(b.key() + ":0", b.key() + ":1", b.key() + ":2");
    }
    assertThat(source.pollAnalytics(1000)).isEmpty();
    for (String d : decoys) {
      assertThat(redis.sync().llen(d)).as(d).isEqualTo(2);
    }
  }

  @Test
  void pollsTheUptimeKeyWhateverTheAnalyticsPrefix() throws Exception {
    redis.push("host-checker:tyk-uptime-analytics", TestRedis.elements("u", 7));
    RedisRecordSource source = source(
        StorageConfigs.json("{\"port\":" + server.port() + ",\"key_prefix\":\"custom-\"}"),
        SourceOptions.DEFAULTS);

    Optional<PoppedList> first = source.pollUptime(5);
    Optional<PoppedList> second = source.pollUptime(5);

    assertThat(first).get().satisfies(b -> {
      assertThat(b.key()).isEqualTo("host-checker:tyk-uptime-analytics");
      assertThat(b.elements()).extracting(TestRedis::text).containsExactly("u:0", "u:1", "u:2", "u:3", "u:4");
    });
    assertThat(second).get().extracting(b -> b.elements().size()).isEqualTo(2);
    assertThat(source.pollUptime(5)).isEmpty();
  }

  @Test
  void honoursKeyPrefixAndItsDeprecatedAlias() throws Exception {
    redis.push("custom-tyk-system-analytics_3", TestRedis.elements("c", 2));
    redis.push("legacy-tyk-system-analytics", TestRedis.elements("l", 2));
    redis.push(BASE, TestRedis.elements("default", 2));
    RedisRecordSource custom = source(
        StorageConfigs.json("{\"port\":" + server.port() + ",\"key_prefix\":\"custom-\"}"),
        SourceOptions.DEFAULTS);
    RedisRecordSource legacy = source(
        StorageConfigs.json("{\"port\":" + server.port() + ",\"redis_key_prefix\":\"legacy-\"}"),
        SourceOptions.DEFAULTS);

    assertThat(custom.pollAnalytics(10)).extracting(PoppedList::key)
        .containsExactly("custom-tyk-system-analytics_3");
    assertThat(legacy.pollAnalytics(10)).extracting(PoppedList::key)
        .containsExactly("legacy-tyk-system-analytics");
    assertThat(redis.sync().llen(BASE)).isEqualTo(2);
  }

  @Test
  void twoSourcesPollingConcurrentlyGetDisjointRecordsWhoseUnionIsEverything() throws Exception {
    RedisRecordSource a = source(SourceOptions.DEFAULTS);
    RedisRecordSource b = source(SourceOptions.DEFAULTS);
    List<String> keys = a.keys().analytics();
    int perKey = 1000;
    AtomicBoolean pushing = new AtomicBoolean(true);
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      Future<Set<String>> gotA = pool.submit(consumer(a, pushing, start));
      Future<Set<String>> gotB = pool.submit(consumer(b, pushing, start));
      Future<Set<String>> pushed = pool.submit(() -> {
        start.await();
        Set<String> all = new HashSet<>();
        try (TestRedis pusher = TestRedis.standalone(server.port())) {
          for (int round = 0; round < perKey / 100; round++) {
            for (String key : keys) {
              List<byte[]> part = TestRedis.elements(key + "/" + round, 100);
              pusher.push(key, part);
              part.forEach(e -> all.add(TestRedis.text(e)));
            }
          }
        } finally {
          pushing.set(false);
        }
        return all;
      });
      start.countDown();

      Set<String> all = pushed.get(60, TimeUnit.SECONDS);
      Set<String> fromA = gotA.get(60, TimeUnit.SECONDS);
      Set<String> fromB = gotB.get(60, TimeUnit.SECONDS);

      assertThat(all).hasSize(keys.size() * perKey);
      assertThat(fromA).doesNotContainAnyElementsOf(fromB);
      Set<String> union = new HashSet<>(fromA);
      union.addAll(fromB);
      assertThat(union).isEqualTo(all);
      assertThat(fromA).isNotEmpty();
      assertThat(fromB).isNotEmpty();
    } finally {
      pool.shutdownNow();
    }
  }

  /** Polls with small chunks until the pusher is done and a poll comes back empty. */
  private static Callable<Set<String>> consumer(RedisRecordSource source, AtomicBoolean pushing,
      CountDownLatch start) {
    return () -> {
      start.await();
      Set<String> got = new HashSet<>();
      int duplicates = 0;
      while (true) {
        boolean stillPushing = pushing.get();
        List<PoppedList> batches = source.pollAnalytics(37);
        for (PoppedList batch : batches) {
          for (byte[] e : batch.elements()) {
            duplicates += got.add(TestRedis.text(e)) ? 0 : 1;
          }
        }
        if (batches.isEmpty() && !stillPushing) {
          break;
        }
      }
      assertThat(duplicates).isZero();
      return got;
    };
  }

  @Test
  void chunkModeRearmsTheTtlAfterEachPop() throws Exception {
    redis.push(BASE, TestRedis.elements("t", 250));
    redis.push("host-checker:tyk-uptime-analytics", TestRedis.elements("u", 250));
    RedisRecordSource source = source(SourceOptions.from(StorageConfigs.pump("{\"purge_chunk\":100}")));
    assertThat(source.pollAnalytics(100)).hasSize(1);
    assertThat(source.pollUptime(100)).isPresent();

    assertThat(redis.sync().ttl(BASE)).isBetween(1L, 60L);
    assertThat(redis.sync().ttl("host-checker:tyk-uptime-analytics")).isBetween(1L, 60L);
    assertThat(redis.sync().llen(BASE)).isEqualTo(150);
  }

  @Test
  void chunkModeUsesAnExplicitStorageExpirationTime() throws Exception {
    redis.push(BASE + "_4", TestRedis.elements("t", 20));
    RedisRecordSource source = source(SourceOptions.from(
        StorageConfigs.pump("{\"purge_chunk\":5,\"storage_expiration_time\":900}")));

    source.pollAnalytics(5);

    assertThat(redis.sync().ttl(BASE + "_4")).isBetween(61L, 900L);
  }

  @Test
  void drainModeSetsNoTtlLikeTyk() throws Exception {
    redis.push(BASE, TestRedis.elements("t", 20));
    RedisRecordSource source = source(SourceOptions.from(
        StorageConfigs.pump("{\"purge_chunk\":0,\"storage_expiration_time\":30}")));

    source.pollAnalytics(5);

    assertThat(redis.sync().llen(BASE)).isEqualTo(15);
    assertThat(redis.sync().ttl(BASE)).isEqualTo(-1);
  }

  @Test
  void deliversGatewayBytesUnchanged() throws Exception {
    List<byte[]> raw = Fixtures.raw(Fixtures.MODERN);
    redis.push(BASE + "_7", raw);
    RedisRecordSource source = source(SourceOptions.DEFAULTS);

    List<PoppedList> batches = source.pollAnalytics(raw.size());

    assertThat(batches).hasSize(1);
    assertThat(batches.get(0).elements()).containsExactlyElementsOf(raw);
    MsgpackRecordDecoder decoder = new MsgpackRecordDecoder();
    List<AnalyticsRecord> decoded = new ArrayList<>();
    for (byte[] e : batches.get(0).elements()) {
      decoded.add(decoder.decodeRecord(e));
    }
    assertThat(decoded).hasSize(Fixtures.records(Fixtures.MODERN).size());
  }

  @Test
  void aKeyOfTheWrongTypeIsLoggedOnceAndTheOthersStillDrain() throws Exception {
    redis.sync().set(BASE + "_5", "not a list".getBytes(StandardCharsets.UTF_8));
    redis.push(BASE + "_6", TestRedis.elements("ok", 3));
    RedisRecordSource source = source(SourceOptions.DEFAULTS);
    try (LogCapture logs = LogCapture.redisPackage()) {
      List<PoppedList> first = source.pollAnalytics(10);
      List<PoppedList> second = source.pollAnalytics(10);

      assertThat(first).extracting(PoppedList::key).containsExactly(BASE + "_6");
      assertThat(second).isEmpty();
      assertThat(logs.messages(Level.ERROR, BASE + "_5")).hasSize(1)
          .allSatisfy(m -> assertThat(m).contains("WRONGTYPE"));
      assertThat(source.isAvailable()).isTrue();
    }
    assertThat(redis.sync().get(BASE + "_5")).asString(StandardCharsets.UTF_8).isEqualTo("not a list");
  }

  @Test
  void storesThePumpVersion() {
    RedisRecordSource source = source(SourceOptions.DEFAULTS);

    assertThat(source.storeVersion("1.2.3")).isTrue();

    assertThat(redis.sync().get("version-check-pump")).asString(StandardCharsets.UTF_8).isEqualTo("1.2.3");
    assertThat(redis.sync().ttl("version-check-pump")).isEqualTo(-1);
    assertThat(source.isAvailable()).isTrue();
  }

  @Test
  void reportsTheBacklogOfEveryKey() throws Exception {
    redis.push(BASE + "_2", TestRedis.elements("b", 4));
    redis.push("host-checker:tyk-uptime-analytics", TestRedis.elements("u", 1));
    RedisRecordSource source = source(SourceOptions.DEFAULTS);

    Map<String, Long> backlog = source.backlog();

    assertThat(backlog).hasSize(12).containsEntry(BASE + "_2", 4L)
        .containsEntry("host-checker:tyk-uptime-analytics", 1L).containsEntry(BASE, 0L);
  }

  @Test
  void availabilityIsUnknownUntilTheFirstContact() throws Exception {
    RedisRecordSource source = source(SourceOptions.DEFAULTS);
    assertThat(source.isAvailable()).isFalse();

    source.pollAnalytics(1);

    assertThat(source.isAvailable()).isTrue();
  }

  @Test
  void rejectsANonPositiveChunkAndUseAfterClose() {
    RedisRecordSource source = source(SourceOptions.DEFAULTS);
    assertThatThrownBy(() -> source.pollAnalytics(0)).isInstanceOf(IllegalArgumentException.class);

    source.close();
    source.close();

    assertThatThrownBy(() -> source.pollAnalytics(1)).isInstanceOf(IllegalStateException.class);
  }
}
