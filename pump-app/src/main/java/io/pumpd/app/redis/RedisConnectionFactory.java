package io.pumpd.app.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.pumpd.core.config.RedisAddress;
import io.pumpd.core.config.StorageConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Lettuce client for {@code analytics_storage_config} ({@link RedisClientSettings}) and
 * hands out a {@link RedisLink}. Options chosen for a purge loop that must fail fast rather than
 * queue ({@code reference/style-anchors.md} §3):
 *
 * <ul>
 *   <li>a bounded request queue ({@value #REQUEST_QUEUE_SIZE} commands; one poll pipelines at most
 *       55);
 *   <li>{@link ClientOptions.DisconnectedBehavior#REJECT_COMMANDS}: while disconnected a command
 *       fails at once; commands in flight when the connection drops fail too and are never
 *       replayed after reconnecting (a replayed pop whose caller already gave up would lose
 *       records silently);
 *   <li>auto-reconnect on, with exponential backoff capped at 10 s (like Tyk's connection retry);
 *   <li>connect and command timeout = {@code timeout} seconds;
 *   <li>RESP2 (works with every Redis a Tyk gateway can use, 5 and later), keys as UTF-8 strings,
 *       values as raw bytes ({@link #CODEC});
 *   <li>Cluster: periodic (30 s) and adaptive topology refresh.
 * </ul>
 *
 * <p>Each {@link #open()} creates its own client and client resources, and the returned link
 * shuts both down ({@link RedisLink#close(Duration)}): whoever creates a resource closes it.
 * Immutable and thread-safe.
 */
public final class RedisConnectionFactory {
  private static final Logger LOG = LoggerFactory.getLogger(RedisConnectionFactory.class);

  /** Keys as UTF-8 text, values (msgpack records) as raw bytes. */
  public static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  /** Most commands queued per connection before new ones are rejected. */
  public static final int REQUEST_QUEUE_SIZE = 1024;

  /** Longest wait between reconnect attempts. */
  public static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(10);

  private static final Duration TOPOLOGY_REFRESH = Duration.ofSeconds(30);

  private final RedisClientSettings settings;

  public RedisConnectionFactory(RedisClientSettings settings) {
    this.settings = settings;
  }

  /**
   * A factory for {@code config}.
   *
   * @throws RedisConfigException when the config is invalid (every problem listed)
   */
  public static RedisConnectionFactory create(StorageConfig config) {
    return new RedisConnectionFactory(RedisClientSettings.from(config));
  }

  public RedisClientSettings settings() {
    return settings;
  }

  /** Creates the client; no I/O happens until the link's first command. */
  public RedisLink open() {
    ClientResources resources = DefaultClientResources.builder()
        .ioThreadPoolSize(2)
        .computationThreadPoolSize(2)
        .reconnectDelay(Delay.exponential(
            Duration.ofMillis(1), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
        .build();
    try {
      if (settings.mode() == RedisClientSettings.Mode.CLUSTER) {
        RedisClusterClient client = RedisClusterClient.create(resources, redisUris());
        client.setOptions(clusterClientOptions());
        return new ClusterLink(client, resources, settings.describe());
      }
      RedisClient client = RedisClient.create(resources);
      client.setOptions(clientOptions());
      return new StandaloneLink(client, resources, redisUris().get(0), settings.describe());
    } catch (RuntimeException e) {
      resources.shutdown(0, 2, TimeUnit.SECONDS);
      throw e;
    }
  }

  /**
   * The URIs Lettuce connects with: one for a single node (the first address) or for Sentinel (all
   * addresses as sentinels), one per seed for Cluster.
   */
  List<RedisURI> redisUris() {
    List<RedisAddress> addresses = settings.addresses();
    switch (settings.mode()) {
      case SENTINEL: {
        RedisURI.Builder b = RedisURI.builder().withSentinelMasterId(settings.masterName());
        for (RedisAddress a : addresses) {
          RedisURI sentinel = RedisURI.create(a.host(), a.port());
          if (!settings.sentinelPassword().isEmpty()) {
            sentinel.setPassword(settings.sentinelPassword().reveal().toCharArray());
          }
          applyTransport(sentinel);
          b.withSentinel(sentinel);
        }
        RedisURI uri = b.build();
        applyCommon(uri);
        return List.of(uri);
      }
      case CLUSTER: {
        List<RedisURI> uris = new ArrayList<>();
        for (RedisAddress a : addresses) {
          RedisURI uri = RedisURI.create(a.host(), a.port());
          applyCommon(uri);
          uri.setDatabase(0);
          uris.add(uri);
        }
        return uris;
      }
      default: {
        if (addresses.size() > 1) {
          LOG.info("analytics_storage_config lists {} addresses without enable_cluster or"
              + " master_name; using the first, {}", addresses.size(), addresses.get(0));
        }
        RedisAddress a = addresses.get(0);
        RedisURI uri = RedisURI.create(a.host(), a.port());
        applyCommon(uri);
        return List.of(uri);
      }
    }
  }

  private void applyCommon(RedisURI uri) {
    if (!settings.password().isEmpty()) {
      char[] password = settings.password().reveal().toCharArray();
      if (settings.username().isEmpty()) {
        uri.setPassword(password);
      } else {
        uri.setUsername(settings.username());
        uri.setPassword(password);
      }
    }
    uri.setDatabase(settings.database());
    applyTransport(uri);
  }

  private void applyTransport(RedisURI uri) {
    uri.setTimeout(settings.timeout());
    settings.tls().ifPresent(tls -> {
      uri.setSsl(true);
      uri.setVerifyPeer(tls.verifyMode());
    });
  }

  /** Options for a single-node or Sentinel client. */
  ClientOptions clientOptions() {
    ClientOptions.Builder b = ClientOptions.builder();
    applyCommon(b);
    return b.build();
  }

  /** Options for a Cluster client: the common ones plus topology refresh. */
  ClusterClientOptions clusterClientOptions() {
    ClusterClientOptions.Builder b = ClusterClientOptions.builder();
    applyCommon(b);
    b.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
        .enablePeriodicRefresh(TOPOLOGY_REFRESH)
        .enableAllAdaptiveRefreshTriggers()
        .build());
    return b.build();
  }

  private void applyCommon(ClientOptions.Builder b) {
    b.autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .requestQueueSize(REQUEST_QUEUE_SIZE)
        .protocolVersion(ProtocolVersion.RESP2)
        .socketOptions(SocketOptions.builder().connectTimeout(settings.timeout()).keepAlive(true).build())
        .timeoutOptions(TimeoutOptions.enabled(settings.timeout()));
    settings.tls().ifPresent(tls -> b.sslOptions(tls.sslOptions(settings.timeout())));
  }

  /** Shuts {@code client} then {@code resources} down within {@code timeout} overall. */
  static void shutdown(AbstractRedisClient client, ClientResources resources, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      client.shutdown(Duration.ZERO, timeout);
    } catch (RuntimeException e) {
      LOG.warn("Redis client did not shut down cleanly within {}: {}", timeout, e.toString());
    }
    long left = Math.max(0, deadline - System.nanoTime());
    try {
      resources.shutdown(0, Math.max(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS)
          .get(Math.max(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("Redis client threads did not stop within {}: {}", timeout, e.toString());
    }
  }
}
