package io.pumpd.app.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pumpd.app.testing.DaemonEnv;
import io.pumpd.app.testing.DaemonProcess;
import io.pumpd.app.testing.RedisFeeder;
import io.pumpd.core.testing.RedisServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packaged daemon fed hostile or mistaken configuration, as an operator (or an attacker who
 * can write {@code pump.conf}) would: every static mistake is exit status 2 from the daemon and
 * from {@code pump config check} alike, naming the key and its env var, without a Java stack
 * trace (under {@code deploy/pumpd.service}, {@code RestartPreventExitStatus=2} then stops the
 * restart loop); nothing in the configuration can forge a log line; a wrong Redis password is
 * reported as what it is.
 */
@DisplayName("hostile: configuration mistakes and injection through the config")
class ConfigHostileIT {
  private static final String FORGED = "2026-12-01T00:00:00.000Z INFO  [main] fake";
  private static final String REDIS_PASSWORD = "hostile-secret";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static RedisServerProcess redis;

  @TempDir Path work;

  @BeforeAll
  static void startRedis() {
    redis = RedisServerProcess.start();
    // set after start: the fixture's readiness probe is an unauthenticated PING
    try (RedisFeeder f = new RedisFeeder(redis.host(), redis.port())) {
      f.commands().configSet("requirepass", REDIS_PASSWORD);
    }
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  /** Env-only config with a dummy pump and the test's Redis (and its password). */
  private Map<String, String> env() {
    Map<String, String> env = DaemonEnv.base(redis, work);
    env.put("TYK_PMP_ANALYTICSSTORAGECONFIG_PASSWORD", REDIS_PASSWORD);
    env.put("TYK_PMP_PUMPS_D_TYPE", "dummy");
    return env;
  }

  /** Runs the daemon or a subcommand to its end; returns its exit status and standard error. */
  private Finished run(List<String> args, Map<String, String> env) throws Exception {
    try (DaemonProcess d = DaemonProcess.start(args, env, work)) {
      int exit = d.awaitExit(Duration.ofSeconds(60));
      return new Finished(exit, d.logs());
    }
  }

  private record Finished(int exit, List<String> stderr) {
    String text() {
      return String.join("\n", stderr);
    }
  }

  static Stream<Arguments> badRedisSettings() {
    return Stream.of(
        Arguments.of("addrs entry with two colons", Map.of(
            "TYK_PMP_ANALYTICSSTORAGECONFIG_ADDRS", "a:b:6379"),
            List.of("analytics_storage_config.addrs[0]: \"a:b:6379\" is not host:port",
                "(env TYK_PMP_ANALYTICSSTORAGECONFIG_ADDRS)")),
        Arguments.of("addrs port out of range", Map.of(
            "TYK_PMP_ANALYTICSSTORAGECONFIG_ADDRS", "redis:6379,redis:70000"),
            List.of("analytics_storage_config.addrs[1]: \"redis:70000\": port 70000 out of range",
                "(env TYK_PMP_ANALYTICSSTORAGECONFIG_ADDRS)")),
        Arguments.of("blank host in hosts", Map.of(
            "TYK_PMP_ANALYTICSSTORAGECONFIG_HOSTS", ":6379"),
            List.of("analytics_storage_config.hosts: \":6379\": empty host",
                "(env TYK_PMP_ANALYTICSSTORAGECONFIG_HOSTS)")),
        Arguments.of("port out of range", Map.of(
            "TYK_PMP_ANALYTICSSTORAGECONFIG_PORT", "70000"),
            List.of("analytics_storage_config.port: must be between 1 and 65535",
                "(env TYK_PMP_ANALYTICSSTORAGECONFIG_PORT)")),
        Arguments.of("use_ssl with a missing CA file", Map.of(
            "TYK_PMP_ANALYTICSSTORAGECONFIG_USESSL", "true",
            "TYK_PMP_ANALYTICSSTORAGECONFIG_SSLCAFILE", "/nonexistent/ca.pem"),
            List.of("analytics_storage_config.ssl_ca_file: /nonexistent/ca.pem: no such file",
                "(env TYK_PMP_ANALYTICSSTORAGECONFIG_SSLCAFILE)")),
        Arguments.of("use_ssl with missing client certificate and key", Map.of(
            "TYK_PMP_ANALYTICSSTORAGECONFIG_USESSL", "true",
            "TYK_PMP_ANALYTICSSTORAGECONFIG_SSLCERTFILE", "/nonexistent/client.pem",
            "TYK_PMP_ANALYTICSSTORAGECONFIG_SSLKEYFILE", "/nonexistent/client.key"),
            List.of("analytics_storage_config.ssl_cert_file: /nonexistent/client.pem: no such file"
                    + " (env TYK_PMP_ANALYTICSSTORAGECONFIG_SSLCERTFILE)",
                "analytics_storage_config.ssl_key_file: /nonexistent/client.key: no such file"
                    + " (env TYK_PMP_ANALYTICSSTORAGECONFIG_SSLKEYFILE)")),
        Arguments.of("elasticsearch pump with use_ssl and a missing CA file", Map.of(
            "TYK_PMP_PUMPS_ES_TYPE", "elasticsearch",
            "TYK_PMP_PUMPS_ES_META_USESSL", "true",
            "TYK_PMP_PUMPS_ES_META_SSLCAFILE", "/nonexistent/es-ca.pem"),
            List.of("pumps.es.meta.ssl_ca_file: /nonexistent/es-ca.pem: no such file",
                "(env TYK_PMP_PUMPS_ES_META_SSLCAFILE)")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRedisSettings")
  void aStaticMistakeIsExitTwoFromTheDaemonAndFromConfigCheckWithoutAStackTrace(
      String what, Map<String, String> bad, List<String> expected) throws Exception {
    Map<String, String> env = env();
    env.putAll(bad);

    for (List<String> args : List.of(List.<String>of(), List.of("config", "check"))) {
      Finished f = run(args, env);
      assertThat(f.exit()).as("exit status of %s\n%s", args, f.text()).isEqualTo(2);
      assertThat(f.text()).as("stderr of %s", args)
          .contains("pump: invalid configuration")
          .contains(expected)
          .doesNotContain("\tat io.pumpd", "Exception");
    }
  }

  @Test
  void aPumpNameWithANewlineIsRejectedOnOneLine() throws Exception {
    Path conf = work.resolve("pump.conf");
    Files.writeString(conf, JSON.writeValueAsString(Map.of("pumps", Map.of(
        "evil\n" + FORGED, Map.of("type", "dummy"), "ok", Map.of("type", "dummy")))));
    Map<String, String> env = env();
    env.remove("TYK_PMP_OMITCONFIGFILE");
    env.remove("TYK_PMP_PUMPS_D_TYPE");

    for (List<String> args : List.of(List.of("-c", conf.toString()),
        List.of("config", "check", "-c", conf.toString()))) {
      Finished f = run(args, env);
      assertThat(f.exit()).as("exit status of %s\n%s", args, f.text()).isEqualTo(2);
      assertThat(f.stderr()).as("stderr of %s", args)
          .contains("  pumps.evil\\n" + FORGED + ": a pump name must not contain control"
              + " characters (line breaks, escapes): it is written to logs and metrics; rename"
              + " the pump")
          .noneMatch(l -> l.startsWith("2026-12-01"));
    }
  }

  @ParameterizedTest(name = "log_format {0}")
  @ValueSource(strings = {"text", "json"})
  void aNewlineInAValueThatIsLoggedStaysOnItsLine(String format) throws Exception {
    Path conf = work.resolve("pump.conf");
    Files.writeString(conf, JSON.writeValueAsString(Map.of(
        "log_format", format,
        "bogus\r\n" + FORGED, 1,
        "pumps", Map.of("d", Map.of("type", "dummy")))));
    Map<String, String> env = env();
    env.remove("TYK_PMP_OMITCONFIGFILE");
    env.remove("TYK_PMP_PUMPS_D_TYPE");

    try (DaemonProcess d = DaemonProcess.start(List.of("-c", conf.toString()), env, work)) {
      d.awaitLog(l -> l.contains("Starting "), Duration.ofSeconds(60));
      d.sigterm();
      assertThat(d.awaitExit(Duration.ofSeconds(30))).isZero();
      List<String> logs = d.logs();
      assertThat(logs).noneMatch(l -> l.startsWith("2026-12-01"));
      if (format.equals("json")) {
        for (String line : logs) {
          assertThat(JSON.readTree(line).isObject()).as(line).isTrue();
        }
        assertThat(logs).anyMatch(l -> l.contains("unknown key bogus\\\\r\\\\n" + FORGED));
      } else {
        assertThat(logs).anyMatch(l -> l.contains(" WARN ")
            && l.endsWith("Config: unknown key bogus\\r\\n" + FORGED + " is ignored"));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"at_most_once", "at_least_once"})
  void aWrongRedisPasswordIsAnAuthenticationFailureInTheLogAndInReadiness(String guarantee)
      throws Exception {
    Map<String, String> env = env();
    env.put("TYK_PMP_ANALYTICSSTORAGECONFIG_PASSWORD", "not-the-password");
    env.put("TYK_PMP_DELIVERYGUARANTEE", guarantee);
    HttpClient http = HttpClient.newHttpClient();
    URI ready = URI.create("http://127.0.0.1:" + env.get("TYK_PMP_HEALTHCHECKENDPOINTPORT")
        + "/ready");

    try (DaemonProcess d = DaemonProcess.start(List.of(), env, work)) {
      d.awaitLog(l -> l.contains("Redis authentication failed"), Duration.ofSeconds(60));
      Map<String, String> last = new HashMap<>();
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
        try {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(ready).build(),
              HttpResponse.BodyHandlers.ofString());
          last.put("body", r.statusCode() + " " + r.body());
          return r.statusCode() == 503 && r.body().contains(
              "redis authentication failed: WRONGPASS invalid username-password pair");
        } catch (java.io.IOException e) {
          return false;
        }
      });
      assertThat(last.get("body")).doesNotContain("redis unreachable");
      // once per connection owner: at_least_once has the version write's and the engine's
      assertThat(d.logs())
          .filteredOn(l -> l.contains("Redis authentication failed"))
          .hasSize(guarantee.equals("at_most_once") ? 1 : 2)
          .allSatisfy(l -> assertThat(l).contains(" ERROR ")
              .contains("analytics_storage_config.password")
              .contains("TYK_PMP_ANALYTICSSTORAGECONFIG_PASSWORD")
              .doesNotContain("not-the-password"));
      assertThat(d.logs()).noneMatch(l -> l.contains("Redis unreachable"));
      d.sigterm();
      d.awaitExit(Duration.ofSeconds(40));
    }
  }
}
