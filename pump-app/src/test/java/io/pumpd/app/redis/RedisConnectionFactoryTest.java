package io.pumpd.app.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.protocol.ProtocolVersion;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How {@code analytics_storage_config} maps onto Lettuce URIs and options (no server needed). */
class RedisConnectionFactoryTest {

  private static RedisConnectionFactory factory(String json) {
    return RedisConnectionFactory.create(StorageConfigs.json(json));
  }

  @Test
  void singleNodeUsesTheFirstAddressWithCredentialsDatabaseAndTimeout() {
    List<RedisURI> uris = factory("{\"addrs\":[\"r1:6380\",\"r2:6381\"],\"username\":\"u\","
        + "\"password\":\"p\",\"database\":2,\"timeout\":3}").redisUris();

    assertThat(uris).singleElement().satisfies(uri -> {
      assertThat(uri.getHost()).isEqualTo("r1");
      assertThat(uri.getPort()).isEqualTo(6380);
      assertThat(uri.getUsername()).isEqualTo("u");
      assertThat(uri.getPassword()).containsExactly('p');
      assertThat(uri.getDatabase()).isEqualTo(2);
      assertThat(uri.getTimeout()).isEqualTo(Duration.ofSeconds(3));
      assertThat(uri.isSsl()).isFalse();
    });
  }

  @Test
  void passwordWithoutUsernameIsPlainAuth() {
    RedisURI uri = factory("{\"password\":\"p\"}").redisUris().get(0);
    assertThat(uri.getUsername()).isNull();
    assertThat(uri.getPassword()).containsExactly('p');
  }

  @Test
  void clusterUsesEverySeedAndDatabaseZero() {
    List<RedisURI> uris = factory("{\"enable_cluster\":true,\"addrs\":[\"a:1\",\"b:2\",\"c:3\"],"
        + "\"database\":4,\"password\":\"p\"}").redisUris();
    assertThat(uris).extracting(RedisURI::getHost).containsExactly("a", "b", "c");
    assertThat(uris).extracting(RedisURI::getDatabase).containsOnly(0);
    assertThat(uris).allSatisfy(u -> assertThat(u.getPassword()).containsExactly('p'));
  }

  @Test
  void sentinelUsesEveryAddressAsASentinelWithTheSentinelPassword() {
    RedisURI uri = factory("{\"master_name\":\"mymaster\",\"addrs\":[\"s1:26379\",\"s2:26380\"],"
        + "\"sentinel_password\":\"sp\",\"password\":\"mp\",\"use_ssl\":true}").redisUris().get(0);

    assertThat(uri.getSentinelMasterId()).isEqualTo("mymaster");
    assertThat(uri.getPassword()).containsExactly('m', 'p');
    assertThat(uri.getSentinels()).extracting(RedisURI::getHost).containsExactly("s1", "s2");
    assertThat(uri.getSentinels()).allSatisfy(s -> {
      assertThat(s.getPassword()).containsExactly('s', 'p');
      assertThat(s.isSsl()).isTrue();
    });
  }

  @Test
  void tlsSetsSslAndTheVerifyMode() {
    assertThat(factory("{\"use_ssl\":true}").redisUris().get(0)).satisfies(u -> {
      assertThat(u.isSsl()).isTrue();
      assertThat(u.getVerifyMode()).isEqualTo(SslVerifyMode.FULL);
    });
    assertThat(factory("{\"use_ssl\":true,\"ssl_insecure_skip_verify\":true}").redisUris().get(0)
        .getVerifyMode()).isEqualTo(SslVerifyMode.NONE);
  }

  @Test
  void clientOptionsFailFastInsteadOfQueueing() {
    ClientOptions o = factory("{\"timeout\":4}").clientOptions();

    assertThat(o.getDisconnectedBehavior()).isEqualTo(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    assertThat(o.getRequestQueueSize()).isEqualTo(RedisConnectionFactory.REQUEST_QUEUE_SIZE);
    assertThat(o.isAutoReconnect()).isTrue();
    assertThat(o.getTimeoutOptions().isTimeoutCommands()).isTrue();
    assertThat(o.getSocketOptions().getConnectTimeout()).isEqualTo(Duration.ofSeconds(4));
    assertThat(o.getConfiguredProtocolVersion()).isEqualTo(ProtocolVersion.RESP2);
  }

  @Test
  void clusterOptionsAddTopologyRefresh() {
    ClusterClientOptions o = factory("{\"enable_cluster\":true}").clusterClientOptions();

    assertThat(o.getDisconnectedBehavior()).isEqualTo(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    assertThat(o.getTopologyRefreshOptions().isPeriodicRefreshEnabled()).isTrue();
    assertThat(o.getTopologyRefreshOptions().getAdaptiveRefreshTriggers()).isNotEmpty();
  }
}
