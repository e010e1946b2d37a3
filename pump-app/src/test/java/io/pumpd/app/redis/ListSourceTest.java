package io.pumpd.app.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pumpd.core.codec.BatchDecoder;
import io.pumpd.core.config.PumpEntry;
import io.pumpd.core.deadletter.RateLimitedLogger;
import io.pumpd.core.delivery.DeliveryEngine;
import io.pumpd.core.engine.PumpRunner;
import io.pumpd.core.engine.RecordPreparer;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.UptimeCapable;
import io.pumpd.core.record.RecordJson;
import io.pumpd.core.record.UptimeRecord;
import io.pumpd.core.retry.Backoff;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.RecordingDeadLetters;
import io.pumpd.core.testing.RecordingPump;
import io.pumpd.core.testing.RedisServerProcess;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@code at_most_once} end to end below the daemon: {@link ListSource} on a real redis-server
 * feeding the core's delivery engine: msgpack, protobuf and uptime lists popped, decoded once and
 * delivered to every pump that takes them.
 */
class ListSourceTest {
  private static final AnalyticsKeys KEYS = AnalyticsKeys.withPrefix("analytics-");

  private RedisServerProcess server;
  private TestRedis redis;
  private RedisRecordSource lists;
  private DeliveryEngine engine;
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final RecordingDeadLetters deadLetters = new RecordingDeadLetters();

  /** A recording pump that takes uptime records too. */
  static final class UptimePump extends RecordingPump implements UptimeCapable {
    final List<UptimeRecord> uptime = new CopyOnWriteArrayList<>();

    @Override
    public void writeUptime(List<UptimeRecord> records, Deadline deadline) {
      uptime.addAll(records);
    }
  }

  @BeforeEach
  void startRedis() {
    server = RedisServerProcess.start();
    redis = TestRedis.standalone(server.port());
    lists = RedisRecordSource.create(StorageConfigs.local(server.port()), SourceOptions.DEFAULTS);
  }

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.stop(Deadline.after(Duration.ofSeconds(5)));
    }
    lists.close();
    redis.close();
    server.close();
  }

  private PumpRunner runner(String name, Pump pump) throws Exception {
    PumpEntry entry = new ObjectMapper().readValue("{}", PumpEntry.class);
    return new PumpRunner(name, "test", pump, new RecordPreparer(entry, 0, false),
        Duration.ofSeconds(5), Duration.ZERO, deadLetters, meters);
  }

  private void start(Pump... pumps) throws Exception {
    List<PumpRunner> runners = new ArrayList<>();
    for (int i = 0; i < pumps.length; i++) {
      runners.add(runner("p" + i, pumps[i]));
    }
    BatchDecoder decoder = new BatchDecoder(deadLetters, meters,
        new RateLimitedLogger(LoggerFactory.getLogger(ListSourceTest.class), Duration.ofSeconds(1)),
        Long.MAX_VALUE, ZoneOffset.UTC);
    engine = new DeliveryEngine(new ListSource(lists, 300, Duration.ofMillis(100), true),
        new ElementDecoding(decoder, KEYS), runners, deadLetters,
        new DeliveryEngine.Settings(16L << 20, Duration.ofSeconds(10),
            new Backoff(Duration.ofMillis(20), Duration.ofMillis(200)), Duration.ofMillis(50),
            Duration.ofSeconds(60)), meters);
    engine.start();
  }

  @Test
  void everyKindOfListIsPoppedAndReachesThePumpsThatTakeIt() throws Exception {
    UptimePump uptime = new UptimePump();
    RecordingPump plain = new RecordingPump();
    start(uptime, plain);
    List<byte[]> msgpack = Fixtures.raw(Fixtures.MODERN);
    List<byte[]> protobuf = Fixtures.raw(Fixtures.PROTOBUF);
    List<byte[]> checks = Fixtures.raw(Fixtures.UPTIME);
    redis.push(KEYS.analytics().get(0), msgpack);
    redis.push(KEYS.protobufAnalytics().get(7), protobuf);
    redis.push(KEYS.uptime(), checks);

    int total = msgpack.size() + protobuf.size();
    await().atMost(Duration.ofSeconds(30)).until(() -> plain.received().size() == total
        && uptime.received().size() == total && uptime.uptime.size() == checks.size());
    List<String> expected = new ArrayList<>(Fixtures.jsonLines(Fixtures.MODERN));
    expected.addAll(Fixtures.jsonLines(Fixtures.PROTOBUF));
    assertThat(plain.received().stream().map(RecordJson::toJson).sorted().toList())
        .isEqualTo(expected.stream().sorted().toList());
    assertThat(redis.sync().exists(KEYS.analytics().get(0), KEYS.protobufAnalytics().get(7),
        KEYS.uptime())).isZero();
    assertThat(deadLetters.entries()).isEmpty();
  }

  @Test
  void theUptimeListIsLeftAloneWhenNoPumpTakesUptimeRecords() throws Exception {
    RecordingPump plain = new RecordingPump();
    start(plain);
    List<byte[]> checks = Fixtures.raw(Fixtures.UPTIME);
    redis.push(KEYS.uptime(), checks);
    redis.push(KEYS.analytics().get(3), Fixtures.raw(Fixtures.MODERN).subList(0, 10));

    await().atMost(Duration.ofSeconds(30)).until(() -> plain.received().size() == 10);
    assertThat(redis.sync().llen(KEYS.uptime())).isEqualTo(checks.size());
  }

  @Test
  void aCorruptProtobufElementIsDeadLetteredAndTheRestDelivered() throws Exception {
    RecordingPump plain = new RecordingPump();
    start(plain);
    List<byte[]> elements = new ArrayList<>(Fixtures.raw(Fixtures.PROTOBUF).subList(0, 20));
    elements.add(10, new byte[] {0x12, 0x7f, 0x01});
    String list = KEYS.protobufAnalytics().get(0);
    redis.push(list, elements);

    await().atMost(Duration.ofSeconds(30)).until(() -> plain.received().size() == 20);
    await().untilAsserted(() -> assertThat(deadLetters.entries()).singleElement()
        .satisfies(e -> {
          assertThat(e.kind()).isEqualTo("undecodable");
          assertThat(e.where()).isEqualTo(list);
          assertThat(e.raw()).containsExactly(0x12, 0x7f, 0x01);
        }));
  }
}
