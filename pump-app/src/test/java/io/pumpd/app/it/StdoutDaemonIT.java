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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged daemon as a user runs it: configured by environment variables only, reading a
 * real redis-server that the test fills with real gateway-encoded records, printing to stdout.
 */
@DisplayName("daemon process: env-only config, real Redis, stdout pump")
class StdoutDaemonIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static RedisServerProcess redis;
  @TempDir Path work;
  private int httpPort;

  @BeforeAll
  static void startRedis() {
    redis = RedisServerProcess.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void flush() throws Exception {
    try (RedisFeeder f = feeder()) {
      f.commands().flushall();
    }
    httpPort = RedisServerProcess.freePort();
  }

  private static RedisFeeder feeder() {
    return new RedisFeeder(redis.host(), redis.port());
  }

  private Map<String, String> env() {
    Map<String, String> env = DaemonEnv.base(redis, work);
    // these tests cover the at_most_once purge loop (its cycle log lines); the at_least_once mode
    // is covered by the chaos suite (io.pumpd.app.chaos) and io.pumpd.app.redis.stream
    env.put("TYK_PMP_DELIVERYGUARANTEE", "at_most_once");
    env.put("TYK_PMP_HEALTHCHECKENDPOINTPORT", String.valueOf(httpPort));
    env.put("TYK_PMP_PUMPS_STDOUT_TYPE", "stdout");
    env.put("TYK_PMP_PUMPS_STDOUT_META_FORMAT", "json");
    env.put("TYK_PMP_PUMPS_STDOUT_META_USELEGACYPAYLOADFORMAT", "true");
    return env;
  }

  private static List<JsonNode> records(DaemonProcess d) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : d.stdout()) {
      out.add(JSON.readTree(line).get("tyk-analytics-record"));
    }
    return out;
  }

  private static List<JsonNode> expected(String fixture) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Fixtures.jsonLines(fixture)) {
      out.add(JSON.readTree(line));
    }
    return out;
  }

  @Test
  void everyFixtureRecordAppearsOnStdoutExactlyOnceAndSigtermExitsZero() throws Exception {
    List<byte[]> modern = Fixtures.raw(Fixtures.MODERN);
    try (RedisFeeder f = feeder()) {
      f.push(RedisFeeder.BASE_KEY, modern.subList(0, 400));
      f.push(RedisFeeder.BASE_KEY + "_3", modern.subList(400, 700));
      f.push(RedisFeeder.BASE_KEY + "_9", modern.subList(700, 1000));
    }
    try (DaemonProcess d = DaemonProcess.start(List.of(), env(), work)) {
      d.awaitStdoutLines(1000, Duration.ofSeconds(60));
      d.sigterm();
      assertThat(d.awaitExit(Duration.ofSeconds(30))).isZero();
      List<JsonNode> got = records(d);
      assertThat(got).hasSize(1000);
      assertThat(got).containsExactlyInAnyOrderElementsOf(expected(Fixtures.MODERN));
      assertThat(d.logs()).anyMatch(l -> l.contains("Shutdown began (SIGTERM)"))
          .anyMatch(l -> l.contains("Shutdown complete"));
    }
    try (RedisFeeder f = feeder()) {
      assertThat(f.backlog()).isZero();
    }
  }

  @Test
  void sigtermWhileRecordsKeepArrivingLosesNothingThatWasPopped() throws Exception {
    List<byte[]> modern = Fixtures.raw(Fixtures.MODERN);
    AtomicBoolean feeding = new AtomicBoolean(true);
    AtomicInteger pushed = new AtomicInteger();
    try (DaemonProcess d = DaemonProcess.start(List.of(), env(), work)) {
      Thread gateway = new Thread(() -> {
        try (RedisFeeder f = feeder()) {
          int i = 0;
          while (feeding.get() && i < 20) {
            f.push(RedisFeeder.BASE_KEY + "_" + (i % 10), modern.subList(0, 500));
            pushed.addAndGet(500);
            i++;
          }
        }
      });
      gateway.start();
      d.awaitStdoutLines(1500, Duration.ofSeconds(60));
      d.sigterm();
      int exit = d.awaitExit(Duration.ofSeconds(30));
      feeding.set(false);
      gateway.join();
      assertThat(exit).isZero();
      long left;
      try (RedisFeeder f = feeder()) {
        left = f.backlog();
      }
      // everything the daemon popped was printed: printed + still queued = pushed
      assertThat(d.stdout().size() + left).isEqualTo(pushed.get());
    }
  }

  @Test
  void aBrokenConfigExitsWithStatusTwoNamingTheKeyAndTheEnvVar() throws Exception {
    Map<String, String> env = env();
    env.put("TYK_PMP_PURGEDELAY", "0");
    env.put("TYK_PMP_PUMPS_BAD_TYPE", "no-such-sink");
    try (DaemonProcess d = DaemonProcess.start(List.of(), env, work)) {
      assertThat(d.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
      String err = String.join("\n", d.logs());
      assertThat(err).contains("purge_delay").contains("TYK_PMP_PURGEDELAY")
          .contains("no-such-sink");
      assertThat(d.stdout()).isEmpty();
    }
  }

  @Test
  void corruptElementsAreDeadLetteredAndTheRestDelivered() throws Exception {
    List<byte[]> good = Fixtures.raw(Fixtures.LEGACY);
    byte[] truncated = java.util.Arrays.copyOf(good.get(0), 40);
    byte[] garbage = "not msgpack at all".getBytes();
    List<byte[]> mixed = new ArrayList<>(good);
    mixed.add(50, truncated);
    mixed.add(120, garbage);
    try (RedisFeeder f = feeder()) {
      f.push(RedisFeeder.BASE_KEY, mixed);
    }
    try (DaemonProcess d = DaemonProcess.start(List.of(), env(), work)) {
      d.awaitStdoutLines(200, Duration.ofSeconds(60));
      d.sigterm();
      assertThat(d.awaitExit(Duration.ofSeconds(30))).isZero();
      assertThat(d.stdout()).hasSize(200);
      assertThat(d.logs()).anyMatch(l -> l.contains("2 undecodable"));
    }
    List<JsonNode> dead = new ArrayList<>();
    try (Stream<Path> files = Files.list(work.resolve("dead-letter"))) {
      for (Path p : files.toList()) {
        for (String line : Files.readAllLines(p)) {
          dead.add(JSON.readTree(line));
        }
      }
    }
    assertThat(dead).hasSize(2);
    assertThat(dead).extracting(n -> Base64.getDecoder().decode(n.get("raw_base64").asText()))
        .containsExactlyInAnyOrder(truncated, garbage);
    assertThat(dead).allSatisfy(n -> assertThat(n.get("source").asText()).isEqualTo(RedisFeeder.BASE_KEY));
  }

  @Test
  void healthIsTyksAnswerAndReadinessFollowsRedis() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    try (DaemonProcess d = DaemonProcess.start(List.of(), env(), work)) {
      d.awaitLog(l -> l.contains("Starting purge loop"), Duration.ofSeconds(30));
      HttpResponse<String> health = http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).isEqualTo("{\"status\": \"ok\"}");
      assertThat(health.headers().firstValue("Content-type")).hasValue("application/json");
      await().atMost(Duration.ofSeconds(10)).until(() -> status(http, "/ready") == 200);

      redis.stop();
      await().atMost(Duration.ofSeconds(20)).until(() -> status(http, "/ready") == 503);
      assertThat(status(http, "/health")).isEqualTo(200);
      redis.restart();
      await().atMost(Duration.ofSeconds(30)).until(() -> status(http, "/ready") == 200);
      try (RedisFeeder f = feeder()) {
        f.push(RedisFeeder.BASE_KEY, Fixtures.raw(Fixtures.MODERN).subList(0, 10));
      }
      d.awaitStdoutLines(10, Duration.ofSeconds(30));
      assertThat(d.logs().stream().filter(l -> l.contains("Redis unreachable")).count())
          .isEqualTo(1);
      assertThat(status(http, "/metrics")).isEqualTo(200);
      d.sigterm();
      assertThat(d.awaitExit(Duration.ofSeconds(30))).isZero();
    }
  }

  private int status(HttpClient http, String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
