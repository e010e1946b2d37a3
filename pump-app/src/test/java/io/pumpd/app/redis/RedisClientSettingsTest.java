package io.pumpd.app.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pumpd.core.config.ConfigProblems;
import io.pumpd.core.config.RedisAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Address selection, mode selection and validation of {@code analytics_storage_config}. */
class RedisClientSettingsTest {

  private static RedisClientSettings settings(String json) {
    return RedisClientSettings.from(StorageConfigs.json(json));
  }

  @Test
  void addrsWinOverHostsAndHostPort() {
    RedisClientSettings s = settings("{\"addrs\":[\"a:1\",\"[::1]:2\"],\"hosts\":{\"h\":\"3\"},"
        + "\"host\":\"x\",\"port\":4}");
    assertThat(s.addresses()).containsExactly(new RedisAddress("a", 1), new RedisAddress("::1", 2));
  }

  @Test
  void hostsMapWinsOverHostPort() {
    assertThat(settings("{\"hosts\":{\"h1\":\"3\",\"h2\":4},\"host\":\"x\",\"port\":4}").addresses())
        .containsExactly(new RedisAddress("h1", 3), new RedisAddress("h2", 4));
  }

  @Test
  void hostPortIsUsedOnlyWithANonZeroPort() {
    assertThat(settings("{\"host\":\"redis.internal\",\"port\":6380}").addresses())
        .containsExactly(new RedisAddress("redis.internal", 6380));
    assertThat(settings("{\"port\":6380}").addresses())
        .containsExactly(new RedisAddress("localhost", 6380));
    assertThat(settings("{\"host\":\"redis.internal\"}").addresses())
        .containsExactly(RedisAddress.DEFAULT);
  }

  @Test
  void nothingConfiguredMeansTheGoRedisDefault() {
    RedisClientSettings s = settings("{}");
    assertThat(s.addresses()).containsExactly(new RedisAddress("127.0.0.1", 6379));
    assertThat(s.mode()).isEqualTo(RedisClientSettings.Mode.STANDALONE);
    assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.tls()).isEmpty();
  }

  @Test
  void sentinelWinsOverClusterWhichWinsOverSingleNode() {
    assertThat(settings("{\"master_name\":\"m\",\"enable_cluster\":true}").mode())
        .isEqualTo(RedisClientSettings.Mode.SENTINEL);
    assertThat(settings("{\"enable_cluster\":true}").mode())
        .isEqualTo(RedisClientSettings.Mode.CLUSTER);
  }

  @Test
  void timeoutIsInSeconds() {
    assertThat(settings("{\"timeout\":7}").timeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(settings("{\"timeout\":0}").timeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void describeNeverShowsCredentials() {
    RedisClientSettings s = settings("{\"addrs\":[\"r:1\"],\"password\":\"hunter2\","
        + "\"username\":\"u\",\"database\":3}");
    assertThat(s.describe()).isEqualTo("r:1 db 3").doesNotContain("hunter2");
  }

  @Test
  void rejectsWhatTheConfigCheckRejectsWithTheSameProblems() {
    String json = "{\"type\":\"mongo\",\"database\":-1,"
        + "\"addrs\":[\"nohost\",\"h:notaport\",\"h:70000\",\"a:b:6379\"],"
        + "\"use_ssl\":true,\"ssl_min_version\":\"1.4\",\"ssl_ca_file\":\"/does/not/exist.pem\"}";
    ConfigProblems checked = new ConfigProblems();
    StorageConfigs.json(json).validate(checked);

    assertThatThrownBy(() -> settings(json))
        .isInstanceOf(RedisConfigException.class)
        .satisfies(e -> assertThat(((RedisConfigException) e).problems())
            .isEqualTo(checked.all())
            .extracting(ConfigProblems.Problem::key)
            .containsExactly("type", "addrs[0]", "addrs[1]", "addrs[2]", "addrs[3]", "database",
                "ssl_min_version", "ssl_ca_file"))
        .hasMessageContaining("\"nohost\" is not host:port")
        .hasMessageContaining("non-numeric port")
        .hasMessageContaining("out of range")
        .hasMessageContaining("[addr]:port")
        .hasMessageContaining("/does/not/exist.pem: no such file");
  }

  @Test
  void tlsVersionsMapToJsseProtocolRanges() {
    assertThat(settings("{\"use_ssl\":true,\"ssl_min_version\":\"1.0\",\"ssl_max_version\":\"1.1\"}")
        .tls()).get().satisfies(t -> assertThat(t.protocols()).containsExactly("TLSv1", "TLSv1.1"));
    assertThat(settings("{\"use_ssl\":true,\"ssl_min_version\":\"1.3\"}").tls())
        .get().satisfies(t -> assertThat(t.protocols()).containsExactly("TLSv1.3"));
  }

  @Test
  void tlsIsOffUnlessUseSslOrItsAliasIsSet() {
    assertThat(settings("{\"ssl_ca_file\":\"/does/not/exist.pem\"}").tls()).isEmpty();
    assertThat(settings("{\"redis_use_ssl\":true}").tls()).get().satisfies(t -> {
      assertThat(t.verifyPeer()).isTrue();
      assertThat(t.protocols()).containsExactly("TLSv1.2", "TLSv1.3");
      assertThat(t.hasCustomCa()).isFalse();
      assertThat(t.hasClientCertificate()).isFalse();
    });
    assertThat(settings("{\"use_ssl\":true,\"redis_ssl_insecure_skip_verify\":true}").tls())
        .get().satisfies(t -> assertThat(t.verifyPeer()).isFalse());
  }
}
