package io.pumpd.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pumpd.app.testing.DaemonEnv;
import io.pumpd.app.testing.DaemonProcess;
import io.pumpd.app.testing.RedisFeeder;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.RedisServerProcess;
import io.pumpd.sinks.elasticsearch.testing.EmbeddedElasticsearch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pump doctor} as a cron job runs it: the packaged jar, env-only configuration, a real
 * redis-server set up healthy or not, the real Elasticsearch node or a port nobody listens on;
 * the exit status and the findings printed are what is checked.
 */
@DisplayName("pump doctor (process)")
class DoctorIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;
  private RedisServerProcess redis;

  @BeforeEach
  void start() {
    redis = RedisServerProcess.start();
  }

  @AfterEach
  void stop() {
    redis.close();
  }

  @Test
  @DisplayName("healthy: AOF on, no backlog, stdout and a reachable Elasticsearch: exit 0, every finding OK")
  void healthy() throws Exception {
    try (RedisFeeder redisAdmin = new RedisFeeder(redis.host(), redis.port())) {
      redisAdmin.commands().configSet("appendonly", "yes");
    }
    Map<String, String> env = DaemonEnv.base(redis, work);
    env.put("TYK_PMP_PUMPS_STDOUT_TYPE", "stdout");
    env.put("TYK_PMP_PUMPS_ES_TYPE", "elasticsearch");
    env.put("TYK_PMP_PUMPS_ES_META_ELASTICSEARCHURL", EmbeddedElasticsearch.shared().url());
    env.put("TYK_PMP_PUMPS_ES_META_INDEXNAME", EmbeddedElasticsearch.uniqueIndex("doctor"));

    DaemonProcess doctor = run(env, "doctor", "--json");

    JsonNode report = JSON.readTree(String.join("\n", doctor.stdout()));
    assertThat(report.get("status").asText()).as("report:\n%s", report).isEqualTo("OK");
    assertThat(finding(report, "redis", "persistence").get("detail").asText()).contains("AOF on");
    assertThat(finding(report, "backlog", "gateway lists").get("detail").asText()).startsWith("empty");
    assertThat(finding(report, "sink", "es (elasticsearch)").get("status").asText()).isEqualTo("OK");
    assertThat(finding(report, "sink", "stdout (stdout)").get("status").asText()).isEqualTo("OK");
    assertThat(doctor.awaitExit(WAIT)).isZero();
  }

  @Test
  @DisplayName("needs attention: eviction of any key, no persistence, records about to expire, a sink "
      + "nobody answers: exit 1, each named in the table")
  void attention() throws Exception {
    try (RedisFeeder gateway = new RedisFeeder(redis.host(), redis.port())) {
      gateway.commands().configSet("maxmemory", "200mb");
      gateway.commands().configSet("maxmemory-policy", "allkeys-lru");
      gateway.push(RedisFeeder.BASE_KEY, Fixtures.raw(Fixtures.MODERN).subList(0, 5));
      gateway.commands().expire(RedisFeeder.BASE_KEY, 8);
    }
    Map<String, String> env = DaemonEnv.base(redis, work);
    env.put("TYK_PMP_PUMPS_ES_TYPE", "elasticsearch");
    env.put("TYK_PMP_PUMPS_ES_META_ELASTICSEARCHURL", "http://127.0.0.1:" + RedisServerProcess.freePort());

    DaemonProcess doctor = run(env, "doctor", "--sink-wait", "2");

    assertThat(doctor.awaitExit(WAIT)).isEqualTo(1);
    List<String> table = doctor.stdout();
    assertThat(table.get(0)).contains("AREA").contains("SUBJECT").contains("DETAIL");
    assertThat(table)
        .anyMatch(l -> l.matches("WARN +redis +maxmemory_policy +allkeys-lru: .*evicts any key.*"))
        .anyMatch(l -> l.matches("WARN +redis +persistence +neither AOF nor RDB snapshots.*"))
        .anyMatch(l -> l.matches("WARN +backlog +" + RedisFeeder.BASE_KEY
            + " +5 records, TTL \\d s: they expire unread soon.*"))
        .anyMatch(l -> l.matches("FAIL +sink +es \\(elasticsearch\\) +not ready after 2 s: .*"))
        .anyMatch(l -> l.matches("OK +redis +memory +used .* of 200\\.0 MiB.*"));
  }

  @Test
  @DisplayName("Redis unreachable: a failure naming it, exit 1")
  void redisUnreachable() throws Exception {
    Map<String, String> env = DaemonEnv.base(redis, work);
    env.put("TYK_PMP_ANALYTICSSTORAGECONFIG_PORT", String.valueOf(RedisServerProcess.freePort()));
    env.put("TYK_PMP_ANALYTICSSTORAGECONFIG_TIMEOUT", "1");
    env.put("TYK_PMP_PUMPS_STDOUT_TYPE", "stdout");

    DaemonProcess doctor = run(env, "doctor", "--json");

    assertThat(doctor.awaitExit(WAIT)).isEqualTo(1);
    JsonNode report = JSON.readTree(String.join("\n", doctor.stdout()));
    assertThat(report.get("status").asText()).isEqualTo("FAIL");
    JsonNode redisFinding = report.get("findings").get(0);
    assertThat(redisFinding.get("area").asText()).isEqualTo("redis");
    assertThat(redisFinding.get("status").asText()).isEqualTo("FAIL");
    assertThat(redisFinding.get("detail").asText()).startsWith("unreachable: ");
    assertThat(finding(report, "sink", "stdout (stdout)").get("status").asText()).isEqualTo("OK");
  }

  private DaemonProcess run(Map<String, String> env, String... args) throws Exception {
    DaemonProcess p = DaemonProcess.start(List.of(args), env, work);
    p.awaitExit(WAIT);
    return p;
  }

  private static JsonNode finding(JsonNode report, String area, String subject) {
    return StreamSupport.stream(report.get("findings").spliterator(), false)
        .filter(f -> f.get("area").asText().equals(area) && f.get("subject").asText().equals(subject))
        .findFirst().orElseThrow(() -> new AssertionError("no finding " + area + "/" + subject
            + " in " + report));
  }
}
