package io.pumpd.app.redis.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.testing.RecordingPump;
import io.pumpd.core.testing.RedisServerProcess;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** Redis restarted under a running engine: it reconnects, recreates its groups and goes on. */
class RedisRestartDeliveryTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  /** A sink that takes about 5 ms per batch, so a backlog is in flight when Redis goes away. */
  static final class SlowPump extends RecordingPump {
    @Override
    public CompletionStage<WriteResult> write(List<AnalyticsRecord> records, Deadline deadline)
        throws PumpException {
      LockSupport.parkNanos(5_000_000);
      return super.write(records, deadline);
    }
  }

  @Test
  void withoutPersistenceOnlyWhatRedisHeldAtTheRestartCanBeLost() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start()) {
      TestEngines engines = TestEngines.standalone(redis.port());
      RecordingPump sink = new RecordingPump();
      StreamEngine engine = engines.engine("c1").pump("es", sink).start();
      Set<String> before;
      try (GatewayRedis gateway = GatewayRedis.standalone(redis.port())) {
        before = new HashSet<>(gateway.push(TestEngines.BASE, GatewayRedis.keys("before", 0, 3000)));
      }
      await().atMost(WAIT).until(() -> TestPumps.keys(sink).containsAll(before));

      redis.restart(); // empty: no persistence
      Set<String> after;
      try (GatewayRedis gateway = GatewayRedis.standalone(redis.port())) {
        after = new HashSet<>(gateway.push(TestEngines.BASE, GatewayRedis.keys("after", 0, 3000)));
        await().atMost(WAIT).until(() -> TestPumps.keys(sink).containsAll(after));
        await().atMost(WAIT).untilAsserted(() -> {
          engine.maintainNow();
          assertThat(gateway.xlen(StreamKeys.of(TestEngines.BASE, ":pumpd", false).stream())).isZero();
        });
      }
      assertThat(engine.redisAvailable()).isTrue();
      engine.stop(Deadline.after(Duration.ofSeconds(10)));
      engines.closeAll();
    }
  }

  @Test
  void withAnAppendOnlyFileARestartMidFlightLosesNothing() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start(
        List.of("--appendonly", "yes", "--appendfsync", "always"))) {
      TestEngines engines = TestEngines.standalone(redis.port());
      SlowPump sink = new SlowPump();
      StreamEngine engine = engines.engine("c1").pump("es", sink).entryRecords(50).start();
      Set<String> pushed;
      try (GatewayRedis gateway = GatewayRedis.standalone(redis.port())) {
        pushed = new HashSet<>(gateway.push(TestEngines.BASE, GatewayRedis.keys("k", 0, 10_000)));
      }
      await().atMost(WAIT).until(() -> TestPumps.keys(sink).size() >= 2000);
      redis.restart();
      await().atMost(WAIT).until(() -> TestPumps.keys(sink).size() == pushed.size());
      assertThat(TestPumps.keys(sink)).isEqualTo(pushed);
      engine.stop(Deadline.after(Duration.ofSeconds(10)));
      engines.closeAll();
    }
  }
}
