package io.pumpd.app.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pumpd.core.delivery.SourceUnavailableException;
import io.pumpd.core.testing.RedisServerProcess;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Credentials and Sentinel against real servers: an ACL user allowed only the commands Tyk Pump
 * uses, a password-protected master, and a password-protected Sentinel ({@code master_name}).
 */
class RedisAuthTest {
  private static final String MASTER_PASSWORD = "master-secret";
  private static final String SENTINEL_PASSWORD = "sentinel-secret";
  private static RedisServerProcess master;
  private static TestRedis redis;
  private static SentinelProcess sentinel;

  @BeforeAll
  static void start() throws Exception {
    LogCapture.quiet();
    master = RedisServerProcess.start();
    redis = TestRedis.standalone(master.port());
    // this connection stays authenticated as the default user after requirepass is set
    redis.sync().configSet("requirepass", MASTER_PASSWORD);
    redis.sync().aclSetuser("tykpump", io.lettuce.core.AclSetuserArgs.Builder.on()
        .addPassword("pump-secret").keyPattern("*")
        .addCommand(io.lettuce.core.protocol.CommandType.MULTI)
        .addCommand(io.lettuce.core.protocol.CommandType.EXEC)
        .addCommand(io.lettuce.core.protocol.CommandType.LRANGE)
        .addCommand(io.lettuce.core.protocol.CommandType.LTRIM)
        .addCommand(io.lettuce.core.protocol.CommandType.EXPIRE)
        .addCommand(io.lettuce.core.protocol.CommandType.SET)
        .addCommand(io.lettuce.core.protocol.CommandType.PING));
    redis.sync().aclSetuser("nolrange", io.lettuce.core.AclSetuserArgs.Builder.on()
        .addPassword("pw").keyPattern("*")
        .addCommand(io.lettuce.core.protocol.CommandType.MULTI)
        .addCommand(io.lettuce.core.protocol.CommandType.EXEC)
        .addCommand(io.lettuce.core.protocol.CommandType.LTRIM)
        .addCommand(io.lettuce.core.protocol.CommandType.PING));
    sentinel = SentinelProcess.start("pumpmaster", master.port(), MASTER_PASSWORD, SENTINEL_PASSWORD);
  }

  @AfterAll
  static void stop() {
    if (sentinel != null) {
      sentinel.close();
    }
    if (redis != null) {
      redis.close();
    }
    if (master != null) {
      master.close();
    }
  }

  @Test
  void anAclUserWithOnlyTheCommandsTykUsesCanPopAndStoreTheVersion() throws Exception {
    redis.push("analytics-tyk-system-analytics_2", TestRedis.elements("acl", 2));
    try (RedisRecordSource source = RedisRecordSource.create(StorageConfigs.json(
        "{\"port\":" + master.port() + ",\"username\":\"tykpump\",\"password\":\"pump-secret\"}"),
        SourceOptions.from(StorageConfigs.pump("{\"purge_chunk\":10}")))) {

      assertThat(source.pollAnalytics(10)).singleElement()
          .satisfies(b -> assertThat(b.elements()).hasSize(2));
      assertThat(source.storeVersion("1.0")).isTrue();
    }
  }

  @Test
  void aUserRefusedEveryPopIsUnavailableAndTheRefusalIsLoggedOnce() {
    try (LogCapture logs = LogCapture.redisPackage();
        RedisRecordSource source = RedisRecordSource.create(StorageConfigs.json(
            "{\"port\":" + master.port() + ",\"username\":\"nolrange\",\"password\":\"pw\"}"),
            SourceOptions.DEFAULTS)) {
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> source.pollAnalytics(10))
            .isInstanceOf(SourceUnavailableException.class)
            .hasMessageContaining("11 of 11 keys");
      }
      assertThat(source.isAvailable()).isFalse();
      assertThat(logs.messages(ch.qos.logback.classic.Level.ERROR, "Redis refused the pop"))
          .singleElement().satisfies(m -> assertThat(m)
              .contains("analytics-tyk-system-analytics_9").contains("EXECABORT"));
      assertThat(logs.messages(ch.qos.logback.classic.Level.WARN, "Redis unreachable")).hasSize(1);
    }
  }

  @Test
  void aWrongPasswordIsLoggedOnceAsAnAuthenticationFailureNamingTheSettingsNotAsAnOutage() {
    try (LogCapture logs = LogCapture.redisPackage();
        RedisRecordSource source = RedisRecordSource.create(StorageConfigs.json(
            "{\"port\":" + master.port() + ",\"password\":\"wrong\"}"), SourceOptions.DEFAULTS)) {
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> source.pollAnalytics(10))
            .isInstanceOf(SourceUnavailableException.class)
            .hasMessageContaining("WRONGPASS");
      }
      assertThat(source.isAvailable()).isFalse();
      assertThat(source.notReadyReason()).hasValueSatisfying(r -> assertThat(r)
          .startsWith("redis authentication failed: WRONGPASS invalid username-password pair"));
      assertThat(logs.messages(ch.qos.logback.classic.Level.ERROR, "Redis authentication failed"))
          .singleElement().satisfies(m -> assertThat(m)
              .contains("WRONGPASS")
              .contains("analytics_storage_config.password")
              .contains("TYK_PMP_ANALYTICSSTORAGECONFIG_PASSWORD")
              .doesNotContain("wrong"));
      assertThat(logs.messages(ch.qos.logback.classic.Level.WARN, "unreachable")).isEmpty();
    }
  }

  @Test
  void noPasswordForAServerThatRequiresOneIsAnAuthenticationFailure() {
    try (LogCapture logs = LogCapture.redisPackage();
        RedisRecordSource source = RedisRecordSource.create(StorageConfigs.json(
            "{\"port\":" + master.port() + "}"), SourceOptions.DEFAULTS)) {
      assertThatThrownBy(() -> source.pollAnalytics(10))
          .isInstanceOf(SourceUnavailableException.class);
      assertThat(source.notReadyReason()).hasValueSatisfying(r -> assertThat(r)
          .startsWith("redis authentication failed: NOAUTH"));
      assertThat(logs.messages(ch.qos.logback.classic.Level.ERROR, "Redis authentication failed"))
          .hasSize(1);
      assertThat(logs.messages(ch.qos.logback.classic.Level.WARN, "unreachable")).isEmpty();
    }
  }

  @Test
  void anUnreachableRedisIsStillAnOutage() throws Exception {
    try (LogCapture logs = LogCapture.redisPackage();
        RedisRecordSource source = RedisRecordSource.create(StorageConfigs.json(
            "{\"port\":" + RedisServerProcess.freePort() + ",\"timeout\":1}"),
            SourceOptions.DEFAULTS)) {
      assertThatThrownBy(() -> source.pollAnalytics(10))
          .isInstanceOf(SourceUnavailableException.class);
      assertThat(source.notReadyReason()).contains("redis unreachable");
      assertThat(logs.messages(ch.qos.logback.classic.Level.WARN, "Redis unreachable")).hasSize(1);
      assertThat(logs.messages(ch.qos.logback.classic.Level.ERROR, "authentication")).isEmpty();
    }
  }

  @Test
  void findsTheMasterThroughSentinel() throws Exception {
    redis.push("analytics-tyk-system-analytics", TestRedis.elements("s", 4));
    try (RedisRecordSource source = RedisRecordSource.create(StorageConfigs.json(
        "{\"master_name\":\"pumpmaster\",\"addrs\":[\"127.0.0.1:" + sentinel.port + "\"],"
            + "\"sentinel_password\":\"" + SENTINEL_PASSWORD + "\","
            + "\"password\":\"" + MASTER_PASSWORD + "\",\"timeout\":2}"),
        SourceOptions.DEFAULTS)) {

      assertThat(source.describe()).contains("sentinel master 'pumpmaster'");
      assertThat(source.pollAnalytics(10)).singleElement()
          .satisfies(b -> assertThat(b.elements()).extracting(TestRedis::text)
              .containsExactly("s:0", "s:1", "s:2", "s:3"));
    }
  }

  @Test
  void sentinelWithoutItsPasswordIsUnavailable() {
    try (RedisRecordSource source = RedisRecordSource.create(StorageConfigs.json(
        "{\"master_name\":\"pumpmaster\",\"addrs\":[\"127.0.0.1:" + sentinel.port + "\"],"
            + "\"password\":\"" + MASTER_PASSWORD + "\",\"timeout\":2}"),
        SourceOptions.DEFAULTS)) {
      // on a loaded machine a first attempt may time out before Sentinel answers: try again until
      // Sentinel's refusal is what the daemon saw
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        assertThatThrownBy(() -> source.pollAnalytics(10))
            .isInstanceOf(SourceUnavailableException.class);
        assertThat(source.isAvailable()).isFalse();
        assertThat(source.notReadyReason()).hasValueSatisfying(r -> assertThat(r)
            .startsWith("redis authentication failed"));
      });
    }
  }
}
