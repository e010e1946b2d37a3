package io.pumpd.app.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.pumpd.core.delivery.SourceUnavailableException;
import io.pumpd.core.testing.RedisServerProcess;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Redis going away and coming back, with real {@code redis-server} processes: the source throws
 * {@link SourceUnavailableException} while Redis is down, reports unavailable, logs the outage once,
 * and works again afterwards without being recreated.
 */
class RedisOutageTest {
  private static final String BASE = "analytics-tyk-system-analytics";

  @BeforeAll
  static void quiet() {
    LogCapture.quiet();
  }

  @Test
  void survivesARedisRestartMidRunAndLogsTheOutageOnce() throws Exception {
    try (RedisServerProcess server = RedisServerProcess.start();
        LogCapture logs = LogCapture.redisPackage();
        RedisRecordSource source = RedisRecordSource.create(StorageConfigs.local(server.port()),
            SourceOptions.DEFAULTS)) {
      push(server, BASE + "_1", "before", 5);
      assertThat(source.pollAnalytics(100)).hasSize(1);
      assertThat(source.isAvailable()).isTrue();

      server.stop();
      // the first failure may race the client noticing the disconnect; after it, every pop is
      // refused before it is sent, which must never be reported as a possible loss
      await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
        try {
          source.pollAnalytics(100);
          return false;
        } catch (SourceUnavailableException expected) {
          return true;
        }
      });
      int lossLines = logs.messages(Level.ERROR, "Lost the reply").size();
      for (int i = 0; i < 5; i++) {
        assertThatThrownBy(() -> source.pollAnalytics(100))
            .isInstanceOf(SourceUnavailableException.class)
            .hasMessageContaining("127.0.0.1:" + server.port());
        assertThatThrownBy(() -> source.pollUptime(100))
            .isInstanceOf(SourceUnavailableException.class);
      }
      assertThat(source.isAvailable()).isFalse();
      assertThat(source.storeVersion("x")).isFalse();
      assertThat(logs.messages(Level.ERROR, "Lost the reply")).hasSize(lossLines);
      assertThat(logs.messages(Level.WARN, "Redis unreachable at 127.0.0.1:" + server.port()))
          .hasSize(1)
          .allSatisfy(m -> assertThat(m).endsWith("will keep retrying"));

      server.restart();
      push(server, BASE + "_9", "after", 3);
      List<PoppedList> after = await().atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(50))
          .ignoreException(SourceUnavailableException.class)
          .until(() -> source.pollAnalytics(100), b -> !b.isEmpty());

      assertThat(after).hasSize(1);
      assertThat(after.get(0).key()).isEqualTo(BASE + "_9");
      assertThat(after.get(0).elements()).extracting(TestRedis::text)
          .containsExactly("after:0", "after:1", "after:2");
      assertThat(source.isAvailable()).isTrue();
      assertThat(logs.messages(Level.WARN, "Redis unreachable")).hasSize(1);
      assertThat(logs.messages(Level.INFO, "Redis reachable again after")).hasSize(1);
    }
  }

  @Test
  void startsWhileRedisIsDownAndConnectsWhenItComesUp() throws Exception {
    int port = RedisServerProcess.freePort();
    try (LogCapture logs = LogCapture.redisPackage();
        RedisRecordSource source = RedisRecordSource.create(StorageConfigs.local(port),
            SourceOptions.DEFAULTS)) {
      assertThat(source.storeVersion("1.0.0")).isFalse();
      assertThatThrownBy(() -> source.pollAnalytics(10))
          .isInstanceOf(SourceUnavailableException.class)
          .hasMessageContaining("11 of 11 keys");
      assertThatThrownBy(() -> source.pollAnalytics(10))
          .isInstanceOf(SourceUnavailableException.class);
      assertThat(source.isAvailable()).isFalse();

      try (RedisServerProcess server = RedisServerProcess.startOnPort(port, List.of())) {
        push(server, BASE, "late", 2);

        List<PoppedList> batches = source.pollAnalytics(10);

        assertThat(batches).hasSize(1);
        assertThat(batches.get(0).elements()).hasSize(2);
        assertThat(source.isAvailable()).isTrue();
        assertThat(logs.messages(Level.WARN, "Redis unreachable")).hasSize(1);
        assertThat(logs.messages(Level.INFO, "Redis reachable again after")).hasSize(1);
      }
    }
  }

  @Test
  void aLostReplyIsLoggedAsPossibleLossWithKeyAndCount() throws Exception {
    try (RedisServerProcess server = RedisServerProcess.start();
        TestRedis redis = TestRedis.standalone(server.port());
        LogCapture logs = LogCapture.redisPackage();
        RedisRecordSource source = RedisRecordSource.create(
            StorageConfigs.json("{\"port\":" + server.port() + ",\"timeout\":1}"),
            SourceOptions.DEFAULTS)) {
      source.pollAnalytics(1); // connect first, so the pop is really sent
      redis.push(BASE + "_3", TestRedis.elements("x", 10));
      // Redis holds every client's commands for 2.5 s: our pops are sent, time out after 1 s,
      // and Redis runs them afterwards, removing the records nobody is waiting for any more.
      redis.sync().clientPause(2500);

      assertThatThrownBy(() -> source.pollAnalytics(100))
          .isInstanceOf(SourceUnavailableException.class);

      assertThat(logs.messages(Level.ERROR, "Lost the reply to 11 pop(s) of up to 100 records each"))
          .singleElement().satisfies(m -> assertThat(m)
              .contains(BASE + "_3").contains("timed out").contains("up to 1100 records"));
      await().atMost(Duration.ofSeconds(10)).until(() -> redis.sync().exists(BASE + "_3") == 0);
      redis.push(BASE + "_3", TestRedis.elements("y", 1));
      assertThat(source.pollAnalytics(100)).singleElement()
          .satisfies(b -> assertThat(b.elements()).extracting(TestRedis::text).containsExactly("y:0"));
    }
  }

  private static void push(RedisServerProcess server, String key, String tag, int count) {
    try (TestRedis redis = TestRedis.standalone(server.port())) {
      redis.push(key, TestRedis.elements(tag, count));
    }
  }
}
