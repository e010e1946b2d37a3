package io.pumpd.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pumpd.app.testing.DaemonEnv;
import io.pumpd.app.testing.DaemonProcess;
import io.pumpd.app.testing.RedisFeeder;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.RedisServerProcess;
import io.pumpd.sinks.influx2.testing.LinePoint;
import io.pumpd.sinks.influx2.testing.RecordingInfluxServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged daemon as a process, configured from the environment only (Tyk's {@code ADDR},
 * {@code ORGNAME}, {@code BUCKETNAME} names), popping fixture records from a real redis-server and
 * writing them to the strict recording stand-in for the InfluxDB 2 API (no InfluxDB 2 can run
 * here), which checks the org/bucket lookup, every request and every line; SIGTERM exits 0.
 */
@DisplayName("daemon process (env-only config) -> Redis -> influx2 pump -> strict InfluxDB 2 API stand-in")
class Influx2DaemonIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path work;
  private RedisServerProcess redis;
  private RecordingInfluxServer influx;

  @BeforeEach
  void start() {
    redis = RedisServerProcess.start();
    influx = RecordingInfluxServer.builder("it-token", "acme").bucket("tyk").start();
  }

  @AfterEach
  void stop() {
    influx.close();
    redis.close();
  }

  @Test
  @DisplayName("every fixture record is written once at its own time; SIGTERM exits 0")
  void deliversFixtures() throws Exception {
    List<byte[]> raw = Fixtures.raw(Fixtures.MODERN);
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.MODERN);
    try (DaemonProcess daemon = DaemonProcess.start(List.of(), env(), work)) {
      push(raw);

      Awaitility.await().atMost(WAIT).until(() -> influx.points().size() >= records.size());
      daemon.signal("TERM");

      assertThat(daemon.awaitExit(WAIT)).as("exit status; log:\n%s", String.join("\n", daemon.logs())).isZero();
      assertThat(daemon.logs())
          .anyMatch(l -> l.contains("Pump influx2 flushed: 1000 records delivered since start, 0 dead-lettered"))
          .anyMatch(l -> l.contains("Shutdown complete"));
    }
    assertThat(influx.violations()).isEmpty();
    assertThat(influx.requests()).extracting(r -> r.method() + " " + r.path())
        .startsWith("GET /ping", "GET /api/v2/orgs", "GET /api/v2/buckets");
    assertThat(influx.writes()).allSatisfy(w -> {
      assertThat(w.query()).containsEntry("org", "acme").containsEntry("bucket", "tyk").containsEntry("precision", "us");
      assertThat(w.header("Authorization")).isEqualTo("Token it-token");
    });
    List<LinePoint> points = influx.points();
    assertThat(points).hasSize(records.size());
    assertThat(points).extracting(p -> p.timestamp() + " " + p.tags().get("api_id") + " " + p.fields().get("request_time"))
        .containsExactlyInAnyOrderElementsOf(records.stream()
            .map(r -> (r.getTimeStamp().getEpochSecond() * 1_000_000 + r.getTimeStamp().getNano() / 1_000)
                + " " + r.getApiId() + " " + r.getRequestTime())
            .toList());
  }

  private Map<String, String> env() throws IOException {
    Map<String, String> env = DaemonEnv.base(redis, work);
    env.put("TYK_PMP_PUMPS_INFLUX2_TYPE", "influx2");
    env.put("TYK_PMP_PUMPS_INFLUX2_META_ADDR", influx.url());
    env.put("TYK_PMP_PUMPS_INFLUX2_META_TOKEN", "it-token");
    env.put("TYK_PMP_PUMPS_INFLUX2_META_ORGNAME", "acme");
    env.put("TYK_PMP_PUMPS_INFLUX2_META_BUCKETNAME", "tyk");
    env.put("TYK_PMP_PUMPS_INFLUX2_META_TAGS", "api_id, response_code");
    env.put("TYK_PMP_PUMPS_INFLUX2_META_BATCHSIZE", "400");
    return env;
  }

  private void push(List<byte[]> records) {
    try (RedisFeeder f = new RedisFeeder(redis.host(), redis.port())) {
      f.push(RedisFeeder.BASE_KEY, records);
    }
  }
}
