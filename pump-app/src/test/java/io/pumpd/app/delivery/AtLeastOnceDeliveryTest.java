package io.pumpd.app.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pumpd.core.pump.Deadline;
import io.pumpd.core.testing.RecordingPump;
import io.pumpd.core.testing.RedisServerProcess;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The at_least_once engine against a real redis-server, in process. */
class AtLeastOnceDeliveryTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static RedisServerProcess redis;
  private GatewayRedis gateway;
  private TestEngines engines;

  @BeforeAll
  static void startRedis() {
    redis = RedisServerProcess.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.stop();
  }

  @BeforeEach
  void connect() {
    gateway = GatewayRedis.standalone(redis.port());
    gateway.sync().flushall();
    engines = TestEngines.standalone(redis.port());
  }

  @AfterEach
  void close() {
    engines.closeAll();
    gateway.close();
  }

  @Test
  void everyPumpReceivesEveryRecordAndTheStreamsAreTrimmedOnceAllAcknowledged() throws Exception {
    RecordingPump a = new RecordingPump();
    RecordingPump b = new RecordingPump();
    AtLeastOnceDelivery engine = engines.engine("c1").pump("a", a).pump("b", b).start();
    Set<String> pushed = new HashSet<>(gateway.push(TestEngines.BASE, GatewayRedis.keys("base", 0, 5000)));
    pushed.addAll(gateway.push(TestEngines.KEYS.analytics().get(4), GatewayRedis.keys("s4", 0, 3000)));

    await().atMost(WAIT).until(() -> TestPumps.keys(a).size() == 8000 && TestPumps.keys(b).size() == 8000);
    assertThat(TestPumps.keys(a)).isEqualTo(pushed);
    assertThat(TestPumps.keys(b)).isEqualTo(pushed);
    assertThat(TestPumps.duplicates(a)).isZero();
    assertThat(gateway.llen(TestEngines.BASE)).isZero();
    String stream = StreamKeys.of(TestEngines.BASE, ":pumpd", false).stream();
    await().atMost(WAIT).untilAsserted(() -> {
      engine.maintainNow();
      assertThat(gateway.xlen(stream)).isZero();
      assertThat(engine.backlogs().get("a").records()).isZero();
    });
    engine.stop(Deadline.after(Duration.ofSeconds(10)));
  }
}
