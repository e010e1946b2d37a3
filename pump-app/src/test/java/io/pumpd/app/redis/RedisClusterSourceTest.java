package io.pumpd.app.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.SlotHash;
import io.pumpd.core.testing.RedisClusterProcess;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The source against a real three-master Redis Cluster ({@code enable_cluster} + {@code addrs}),
 * formed once for the class (about 3 s).
 */
class RedisClusterSourceTest {
  private static RedisClusterProcess cluster;
  private static TestRedis redis;

  @BeforeAll
  static void startCluster() {
    LogCapture.quiet();
    cluster = RedisClusterProcess.start();
    redis = TestRedis.cluster(cluster.addresses());
  }

  @AfterAll
  static void stopCluster() {
    if (redis != null) {
      redis.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void flush() {
    cluster.flushAll();
  }

  private static RedisRecordSource source(SourceOptions options) {
    String addrs = String.join("\",\"", cluster.addresses());
    return RedisRecordSource.create(StorageConfigs.json(
        "{\"enable_cluster\":true,\"addrs\":[\"" + addrs + "\"],\"timeout\":2}"), options);
  }

  @Test
  void drainsTheElevenKeysSpreadOverThreeMastersInChunks() throws Exception {
    try (RedisRecordSource source = source(SourceOptions.from(
        StorageConfigs.pump("{\"purge_chunk\":40}")))) {
      List<String> keys = source.keys().analytics();
      Set<Integer> thirdsOfSlotRange = new HashSet<>();
      for (String key : keys) {
        redis.push(key, TestRedis.elements(key, 100));
        thirdsOfSlotRange.add(SlotHash.getSlot(key) * 3 / SlotHash.SLOT_COUNT);
      }
      assertThat(thirdsOfSlotRange).as("keys land on several masters").hasSizeGreaterThan(1);

      List<String> received = new ArrayList<>();
      int polls = 0;
      List<PoppedList> batches;
      while (!(batches = source.pollAnalytics(40)).isEmpty()) {
        polls++;
        assertThat(batches).allSatisfy(b -> assertThat(b.elements()).hasSizeLessThanOrEqualTo(40));
        if (polls == 1) {
          assertThat(batches).extracting(PoppedList::key).containsExactlyElementsOf(keys);
          assertThat(redis.sync().ttl(keys.get(0))).isBetween(1L, 60L);
        }
        batches.forEach(b -> b.elements().forEach(e -> received.add(TestRedis.text(e))));
      }

      assertThat(polls).isEqualTo(3);
      List<String> expected = new ArrayList<>();
      for (String key : keys) {
        TestRedis.elements(key, 100).forEach(e -> expected.add(TestRedis.text(e)));
      }
      assertThat(received).containsExactlyInAnyOrderElementsOf(expected);
      for (String key : keys) {
        assertThat(redis.sync().exists(key)).isZero();
      }
      assertThat(source.isAvailable()).isTrue();
    }
  }

  @Test
  void pollsUptimeStoresVersionAndReportsBacklog() throws Exception {
    try (RedisRecordSource source = source(SourceOptions.DEFAULTS)) {
      redis.push("host-checker:tyk-uptime-analytics", TestRedis.elements("u", 3));
      redis.push("analytics-tyk-system-analytics_8", TestRedis.elements("b", 2));

      assertThat(source.backlog()).containsEntry("analytics-tyk-system-analytics_8", 2L)
          .containsEntry("host-checker:tyk-uptime-analytics", 3L);
      assertThat(source.pollUptime(10)).get()
          .satisfies(b -> assertThat(b.elements()).hasSize(3));
      assertThat(source.storeVersion("9.9.9")).isTrue();
      assertThat(TestRedis.text(redis.sync().get("version-check-pump"))).isEqualTo("9.9.9");
    }
  }
}
