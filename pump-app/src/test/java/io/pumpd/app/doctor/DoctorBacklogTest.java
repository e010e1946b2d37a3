package io.pumpd.app.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import io.pumpd.app.PumpRegistry;
import io.pumpd.app.redis.AnalyticsKeys;
import io.pumpd.app.testing.RedisFeeder;
import io.pumpd.core.config.ConfigLoader;
import io.pumpd.core.config.LoadedConfig;
import io.pumpd.core.testing.RedisServerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pump doctor}'s backlog findings against a real redis-server: the protobuf lists counted
 * and named, and a list that nothing drains and that never expires (the uptime list without an
 * uptime-capable pump, or with {@code dont_purge_uptime_data}) warned about until it is drained
 * or gets a TTL.
 */
class DoctorBacklogTest {
  private static final AnalyticsKeys KEYS = AnalyticsKeys.withPrefix("analytics-");
  private static final String UPTIME = KEYS.uptime();

  private static RedisServerProcess redis;
  private static RedisFeeder gateway;

  @TempDir Path dir;

  @BeforeAll
  static void startRedis() {
    redis = RedisServerProcess.start();
    gateway = new RedisFeeder(redis.host(), redis.port());
  }

  @AfterAll
  static void stopRedis() {
    gateway.close();
    redis.close();
  }

  @BeforeEach
  void empty() {
    gateway.commands().flushall();
  }

  @Test
  void anUptimeListNothingDrainsIsWarnedAboutUntilItHasATtl() throws Exception {
    gateway.push(UPTIME, elements(3));

    Finding undrained = backlog(examine("dummy"), UPTIME).orElseThrow();

    assertThat(undrained.status()).isEqualTo(Finding.Status.WARN);
    assertThat(undrained.detail()).startsWith("3 records, no TTL, and nothing drains it")
        .contains("no configured pump accepts uptime records")
        .contains("add a pump that accepts uptime records (stdout does)")
        .contains("set a TTL on the key")
        .contains("uptime_tests.disable");

    gateway.commands().expire(UPTIME, 3600);

    Finding expiring = backlog(examine("dummy"), UPTIME).orElseThrow();
    assertThat(expiring.status()).isEqualTo(Finding.Status.OK);
    assertThat(expiring.detail()).matches("3 records, TTL 3[56]\\d\\d s");
  }

  @Test
  void anUptimeCapablePumpDrainsTheUptimeList() throws Exception {
    gateway.push(UPTIME, elements(2));

    List<Finding> findings = examine("stdout");

    assertThat(backlog(findings, UPTIME)).hasValueSatisfying(f -> {
      assertThat(f.status()).isEqualTo(Finding.Status.OK);
      assertThat(f.detail()).isEqualTo("2 records, no TTL");
    });
    assertThat(findings).filteredOn(f -> f.area().equals("backlog"))
        .allMatch(f -> f.status() == Finding.Status.OK);
  }

  @Test
  void dontPurgeUptimeDataLeavesTheUptimeListUndrainedEvenWithAnUptimePump() throws Exception {
    gateway.push(UPTIME, elements(4));

    Finding f = backlog(examine("stdout", "TYK_PMP_DONTPURGEUPTIMEDATA", "true"), UPTIME)
        .orElseThrow();

    assertThat(f.status()).isEqualTo(Finding.Status.WARN);
    assertThat(f.detail()).startsWith("4 records, no TTL, and nothing drains it")
        .contains("dont_purge_uptime_data is set");
  }

  @Test
  void protobufListsAreCountedNamedAndTakenAsDrained() throws Exception {
    gateway.push(KEYS.analytics().get(0), elements(1));
    gateway.push(KEYS.protobufAnalytics().get(0), elements(2));
    gateway.push(KEYS.protobufAnalytics().get(8), elements(3));

    List<Finding> findings = examine("dummy");

    assertThat(backlog(findings, "gateway lists")).hasValueSatisfying(f -> assertThat(f.detail())
        .isEqualTo("6 records waiting (msgpack 1, protobuf 5, uptime 0)"));
    assertThat(backlog(findings, "analytics-tyk-system-analytics_protobuf"))
        .hasValueSatisfying(f -> assertThat(f.detail()).isEqualTo("2 records, no TTL"));
    assertThat(backlog(findings, "analytics-tyk-system-analytics_7_protobuf"))
        .hasValueSatisfying(f -> assertThat(f.detail()).isEqualTo("3 records, no TTL"));
    assertThat(findings).filteredOn(f -> f.area().equals("backlog"))
        .allMatch(f -> f.status() == Finding.Status.OK);
  }

  @Test
  void emptyListsAreOneLine() throws Exception {
    assertThat(backlog(examine("dummy"), "gateway lists"))
        .hasValueSatisfying(f -> assertThat(f.detail()).isEqualTo("empty (23 lists)"));
  }

  /** The doctor's findings for one pump of {@code pumpType} plus {@code extraEnv} name/value pairs. */
  private List<Finding> examine(String pumpType, String... extraEnv) throws Exception {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("TYK_PMP_ANALYTICSSTORAGECONFIG_HOST", redis.host());
    env.put("TYK_PMP_ANALYTICSSTORAGECONFIG_PORT", String.valueOf(redis.port()));
    env.put("TYK_PMP_PUMPS_ONLY_TYPE", pumpType);
    for (int i = 0; i + 1 < extraEnv.length; i += 2) {
      env.put(extraEnv[i], extraEnv[i + 1]);
    }
    PumpRegistry registry = PumpRegistry.load();
    LoadedConfig loaded = new ConfigLoader(registry).load(dir.resolve("absent.conf"), env);
    return new Doctor(registry, Duration.ofSeconds(5), Duration.ofDays(30)).examine(loaded);
  }

  private static Optional<Finding> backlog(List<Finding> findings, String subject) {
    return findings.stream()
        .filter(f -> f.area().equals("backlog") && f.subject().equals(subject))
        .findFirst();
  }

  private static List<byte[]> elements(int n) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(("e" + i).getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }
}
