package io.pumpd.app.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pumpd.app.testing.DaemonEnv;
import io.pumpd.app.testing.DaemonProcess;
import io.pumpd.app.testing.RedisFeeder;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.RedisServerProcess;
import io.pumpd.sinks.dogstatsd.testing.DogStatsdLine;
import io.pumpd.sinks.dogstatsd.testing.StrictDogStatsdListener;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged daemon as a process, configured from the environment only, popping the gateway's
 * fixture records from a real redis-server and sending them to a strict in-test DogStatsD receiver
 * (no Datadog Agent can run here); SIGTERM must flush and close the pump and exit 0 with every
 * metric sent.
 */
@DisplayName("daemon process (env-only config) -> Redis -> dogstatsd pump -> strict DogStatsD listener")
class DogStatsdDaemonIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path work;
  private RedisServerProcess redis;
  private StrictDogStatsdListener listener;

  @BeforeEach
  void start() {
    redis = RedisServerProcess.start();
    listener = StrictDogStatsdListener.udp();
  }

  @AfterEach
  void stop() {
    listener.close();
    redis.close();
  }

  @Test
  @DisplayName("every fixture record becomes one correct histogram; SIGTERM exits 0")
  void deliversFixtures() throws Exception {
    List<byte[]> records = Fixtures.raw(Fixtures.MODERN);
    try (DaemonProcess daemon = DaemonProcess.start(List.of(), env(false), work)) {
      push(records);

      listener.awaitMetrics(records.size(), WAIT);
      daemon.signal("TERM");

      assertThat(daemon.awaitExit(WAIT)).as("exit status; log:\n%s", String.join("\n", daemon.logs())).isZero();
      assertThat(daemon.logs()).anyMatch(l -> l.contains("Pump dogstatsd flushed: 1000 records delivered"));
    }
    assertMatchesGolden(listener.metrics());
  }

  @Test
  @DisplayName("records popped right before SIGTERM all arrive (unbuffered and buffered)")
  void recordsHandedOverBeforeSigtermArrive() throws Exception {
    for (boolean buffered : new boolean[] {false, true}) {
      listener.clear();
      List<byte[]> records = Fixtures.raw(Fixtures.MODERN);
      try (RedisFeeder feeder = new RedisFeeder(redis.host(), redis.port());
          DaemonProcess daemon = DaemonProcess.start(List.of(), atMostOnce(env(buffered)), work)) {
        daemon.awaitLog(l -> l.contains("dogstatsd pump"), WAIT);
        feeder.push(RedisFeeder.BASE_KEY, records);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> feeder.backlog() == 0);
        // Sent while the pump may still hold the batch (the log then says "N were pending"):
        // TERM via kill, so that the shutdown log lines are captured too.
        daemon.signal("TERM");

        assertThat(daemon.awaitExit(WAIT)).as("exit status; log:\n%s", String.join("\n", daemon.logs())).isZero();
        assertThat(daemon.logs())
            .anyMatch(l -> l.contains("Pump dogstatsd flushed: 1000 records delivered since start, 0 dead-lettered"))
            .anyMatch(l -> l.contains("Shutdown complete"));
      }
      assertThat(listener.awaitMetrics(records.size(), Duration.ofSeconds(5))).as("buffered=%s", buffered)
          .hasSize(records.size());
      assertMatchesGolden(listener.metrics());
    }
  }

  /**
   * Pins at_most_once: "popped before SIGTERM, so delivered before exit" is that mode's promise.
   * In at_least_once, records the daemon has not read yet stay in Redis for the next start.
   */
  private static Map<String, String> atMostOnce(Map<String, String> env) {
    env.put("TYK_PMP_DELIVERYGUARANTEE", "at_most_once");
    return env;
  }

  private Map<String, String> env(boolean buffered) throws IOException {
    Map<String, String> env = DaemonEnv.base(redis, work);
    env.put("TYK_PMP_PUMPS_DOGSTATSD_TYPE", "dogstatsd");
    env.put("TYK_PMP_PUMPS_DOGSTATSD_META_ADDRESS", listener.address());
    env.put("TYK_PMP_PUMPS_DOGSTATSD_META_NAMESPACE", "tyk");
    env.put("TYK_PMP_PUMPS_DOGSTATSD_META_BUFFERED", Boolean.toString(buffered));
    return env;
  }

  /** The metrics equal, as a multiset, the oracle's metrics for the fixture (Tyk's default tags). */
  private static void assertMatchesGolden(List<DogStatsdLine> lines) throws IOException {
    List<String> expected = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        StrictDogStatsdListener.class.getResourceAsStream(
            "/io/pumpd/sinks/dogstatsd/tyk-records-modern.default-tags.jsonl"), StandardCharsets.UTF_8))) {
      for (String l; (l = in.readLine()) != null; ) {
        JsonNode g = json.readTree(l);
        TreeSet<String> tags = new TreeSet<>();
        g.get("tags").forEach(t -> tags.add(t.asText()));
        tags.add("tyk-pump");
        expected.add("tyk.request_time:" + g.get("value").asLong() + "|h" + tags);
      }
    }
    List<String> actual = lines.stream()
        .map(l -> l.name() + ":" + l.value() + "|" + l.type() + new TreeSet<>(l.tags()))
        .toList();
    assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
  }

  private void push(List<byte[]> records) {
    try (RedisFeeder f = new RedisFeeder(redis.host(), redis.port())) {
      f.push(RedisFeeder.BASE_KEY, records);
    }
  }

}
